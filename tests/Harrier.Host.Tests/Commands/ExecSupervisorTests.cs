using Harrier.Events;
using Harrier.Host.Commands;
using Harrier.Host.Service;

namespace Harrier.Host.Tests.Commands;

/// <summary>
/// <c>harrier exec</c> decides notified syscalls with the rules loaded through the same settings path as
/// <c>harrier run</c>: <c>Rules:RuleMatching</c> and <c>Enforcement:Mode</c> apply.
/// </summary>
public sealed class ExecSupervisorTests : IDisposable
{
    // Two rules match the same exec: an alert rule first, then a deny rule. With RuleMatching=first only the alert
    // rule is reported for the event, so the deny rule must not decide the syscall.
    private const string Rules = """
        - rule: tool seen
          desc: d
          condition: evt.type = execve and proc.name = tool
          output: "seen %proc.name"
          priority: NOTICE
        - rule: tool denied
          desc: d
          condition: evt.type = execve and proc.name = tool
          output: "denied %proc.name"
          priority: CRITICAL
          action: deny
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (Func<HarrierEvent, Harrier.Seccomp.Notify.SeccompDecision> Decide, StringWriter Err) Decider(params string[] overrides)
    {
        var config = _dir.Write("appsettings.json", "{}");
        var rules = _dir.Write("rules.yaml", Rules);
        var err = new StringWriter();
        var (settings, _) = EngineSettingsLoader.Load(config, overrides, [rules], err);
        Assert.True(settings is not null, err.ToString());
        var decide = ExecSupervisor.CreateDecider(settings!, err);
        Assert.True(decide is not null, err.ToString());
        return (decide!, err);
    }

    private static ProcessEvent Exec()
    {
        var p = new ProcessInfo { Pid = 42, Ppid = 1, Name = "tool", Exe = "tool", ExePath = "/usr/bin/tool", Args = [], Cwd = "/", ContainerId = "host" };
        return new ProcessEvent
        {
            Type = EventType.Execve,
            EventId = 1,
            TimestampNs = 1_000_000_000,
            Pid = 42,
            Tid = 42,
            Ppid = 1,
            Comm = "tool",
            Process = p,
            Filename = "/usr/bin/tool",
            ExePath = "/usr/bin/tool",
            Argv = ["tool"],
        };
    }

    [Fact]
    public void CreateDecider_RuleMatchingAllInEnforceMode_DenyRuleDenies()
    {
        var (decide, err) = Decider("Enforcement:Mode=enforce", "Rules:RuleMatching=all");

        var d = decide(Exec());

        Assert.False(d.Allow);
        Assert.Equal(1, d.Errno);
        Assert.Equal("tool denied", d.Policy);
        Assert.Contains("seen tool", err.ToString(), StringComparison.Ordinal);
        Assert.Contains("denied tool [denied]", err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateDecider_RuleMatchingFirst_OnlyTheFirstMatchingRuleDecides()
    {
        var (decide, err) = Decider("Enforcement:Mode=enforce", "Rules:RuleMatching=first");

        var d = decide(Exec());

        Assert.True(d.Allow, err.ToString());
        Assert.Contains("seen tool", err.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("denied tool", err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateDecider_MonitorMode_MatchContinuesAsWouldDeny()
    {
        var (decide, err) = Decider("Enforcement:Mode=monitor");

        var d = decide(Exec());

        Assert.True(d.Allow);
        Assert.Contains("denied tool [would-deny]", err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateDecider_BrokenRuleFile_ReturnsNullWithTheErrors()
    {
        var config = _dir.Write("appsettings.json", "{}");
        var rules = _dir.Write("broken.yaml", "- rule: broken\n  desc: d\n  condition: evt.type = \n  output: o\n  priority: INFO\n");
        var err = new StringWriter();
        var (settings, _) = EngineSettingsLoader.Load(config, [], [rules], err);
        Assert.NotNull(settings);

        Assert.Null(ExecSupervisor.CreateDecider(settings!, err));
        Assert.Contains("broken.yaml", err.ToString(), StringComparison.Ordinal);
    }
}
