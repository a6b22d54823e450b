using Harrier.Engine.Enforcement;

// Re-invokes itself (the apphost) for the child modes, so the child enforcer has this executable's identity.
string self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
return EnforcementSelfTest.Run(args, Console.Out, [self]);
