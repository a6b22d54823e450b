using Harrier.Events;
using Harrier.Host.Service;
using Harrier.Rules;
using Harrier.Seccomp.Cli;
using Harrier.Seccomp.Notify;

namespace Harrier.Host.Commands;

/// <summary>
/// <c>harrier exec --profile FILE [--rules FILE|DIR]... -- CMD ARGS</c>: runs the workload under its seccomp profile
/// and decides the profile's <c>notify</c> syscalls with Harrier's rules: a matching rule with <c>action: deny</c> or
/// <c>kill</c> denies the call with EPERM when <c>Enforcement:Mode</c> is <c>enforce</c>; in monitor mode the call
/// continues and a "would-deny" line is printed. The rules default to <c>Rules:Paths</c>.
/// </summary>
internal static class ExecSupervisor
{
    public static int Run(string[] args, TextWriter o, TextWriter err)
    {
        // Harrier's own options come before "--"; the seccomp launcher gets the rest unchanged.
        int dash = Array.IndexOf(args, "--");
        var head = dash < 0 ? args : args[..dash];
        var rulePaths = new List<string>();
        var passThrough = new List<string>();
        string? config = null;
        var overrides = new List<string>();
        for (int i = 0; i < head.Length; i++)
        {
            switch (head[i])
            {
                case "-r" or "--rules" when i + 1 < head.Length: rulePaths.Add(head[++i]); break;
                case "--config" when i + 1 < head.Length: config = head[++i]; break;
                case "-o" when i + 1 < head.Length: overrides.Add(head[++i]); break;
                default: passThrough.Add(head[i]); break;
            }
        }

        if (dash >= 0)
        {
            passThrough.AddRange(args[dash..]);
        }

        var (settings, _) = EngineSettingsLoader.Load(config, overrides, rulePaths, err);
        if (settings is null)
        {
            return 125;
        }

        var decide = CreateDecider(settings, err);
        if (decide is null)
        {
            return 125;
        }

        return ExecCommand.Run(passThrough.ToArray(), o, err, decide);
    }

    /// <summary>
    /// Loads the rules exactly as <c>harrier run</c> does (<see cref="EngineSettings.LoadRules"/>, so
    /// <c>Rules:RuleMatching</c> applies) and returns the decision for a notified syscall: the first matching
    /// <c>deny</c>/<c>kill</c> rule denies it with EPERM in enforce mode; every match is printed to <paramref name="err"/>.
    /// Null after printing the rule errors. The returned function is thread-safe (serialized).
    /// </summary>
    internal static Func<HarrierEvent, SeccompDecision>? CreateDecider(EngineSettings settings, TextWriter err)
    {
        var loaded = settings.LoadRules();
        if (!loaded.Success || loaded.RuleSet is null)
        {
            err.WriteLine(loaded.Format());
            return null;
        }

        var evaluator = loaded.RuleSet.CreateEvaluator();
        var matches = new List<RuleMatch>();
        bool enforce = settings.Enforcement.Enforce;
        var gate = new object();
        return e =>
        {
            lock (gate)
            {
                matches.Clear();
                evaluator.Evaluate(new[] { e }, matches);
                var deny = matches.FirstOrDefault(m => m.Action is RuleAction.Deny or RuleAction.Kill);
                foreach (var m in matches)
                {
                    err.WriteLine($"harrier: {Priorities.Name(m.Rule.Priority)} {m.Output}{(m == deny ? enforce ? " [denied]" : " [would-deny]" : string.Empty)}");
                }

                return deny is not null && enforce ? SeccompDecision.Deny(1, deny.Rule.Name) : SeccompDecision.Continue;
            }
        };
    }
}
