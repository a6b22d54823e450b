using Harrier.Kernel.Tests.Observation;

namespace Harrier.Kernel.Tests.Pipeline;

/// <summary>The whole pipeline with Harrier's default rules (rules/default) plus a test-only correlation rule.</summary>
public sealed class DefaultRulesFixture : FalcoRulesFixture
{
    public const string TestRules = """
        - rule: Test read then loopback connect
          desc: a sequence whose second step is a loopback connect (the test may only use loopback)
          sequence:
            by: [proc.pid]
            within: 10s
            steps:
              - evt.type = openat and fd.name = /etc/hostname
              - evt.type = connect and fd.sip = 127.0.0.1
          output: "read %step1.fd.name then connected to %fd.sip:%fd.sport (%proc.name)"
          priority: NOTICE
        - rule: Test close names the fd
          desc: close events carry the name the fd had, from the process table's fd names
          condition: evt.type = close and fd.name = /etc/hostname and proc.name = python3
          output: "closed %fd.name fd=%fd.num res=%evt.res"
          priority: INFO
        - rule: Test connect to a named host
          desc: fd.sip.name compares with the addresses the system resolver gives for the name (/etc/hosts has localhost)
          condition: evt.type = connect and fd.sip.name = localhost and proc.name = python3
          output: "connected to %fd.sip.name (%fd.sip:%fd.sport)"
          priority: INFO
        """;

    public DefaultRulesFixture()
        : base(Default(), TestRulesFile())
    {
    }

    private static string? Default() => TestPaths.RepoRoot() is { } root ? Path.Combine(root, "rules", "default") : null;

    private static string TestRulesFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"harrier-test-correlation-{Environment.ProcessId}.yaml");
        File.WriteAllText(path, TestRules);
        return path;
    }
}
