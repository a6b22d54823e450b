using System.Diagnostics;
using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Pipeline;
using Harrier.Engine.Verdicts;
using Harrier.Events;
using Harrier.Rules;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Engine.Tests.Pipeline;

/// <summary>The user-space stages on synthetic events: enrichment → rules → verdict → alert. No root needed.</summary>
public sealed class EventPipelineTests
{
    private const string Rules = """
        - rule: Shadow read
          desc: test
          condition: evt.type = openat and fd.name = /etc/shadow
          output: shadow read by %proc.name (file=%fd.name)
          priority: WARNING
          tags: [test]
        - rule: Kill nc
          desc: test
          condition: evt.type = execve and proc.name = nc
          output: nc started
          priority: CRITICAL
          action: kill
        """;

    private static CompiledRuleSet Compile(string yaml)
    {
        var r = RuleLoader.LoadText(yaml);
        Assert.True(r.Success, r.Format());
        return r.RuleSet!;
    }

    private static (EventPipeline Pipeline, List<Alert> Alerts, DetectionStage Detection) Make(string yaml, string mode = "monitor")
    {
        var alerts = new List<Alert>();
        var table = new ProcessTable(new EnrichmentOptions());
        var detection = new DetectionStage(Compile(yaml));
        var verdicts = new VerdictRouter(new EnforcementOptions { Mode = mode }, NullLogger.Instance, () => 2_000_000);
        return (new EventPipeline(table, detection, verdicts, alerts.Add, "host-a"), alerts, detection);
    }

    private static FileEvent Open(string path, int pid = 4242) => new()
    {
        Type = EventType.Openat,
        Pid = pid,
        Tid = pid,
        Comm = "cat",
        Path = path,
        RawPath = path,
        Fd = 3,
        Res = 3,
        TimestampNs = 1_700_000_000_000_000_000,
        KTimeNs = 1_000_000,
    };

    [Fact]
    public void OnBatch_ParentExecsLaterInTheSameBatch_EarlierEventJudgedWithTheParentsOldName()
    {
        const string Yaml = """
            - rule: Shadow read under bash
              desc: test
              condition: evt.type = openat and fd.name = /etc/shadow and proc.pname = bash
              output: shadow read by %proc.name parent=%proc.pname
              priority: WARNING
            """;
        var (p, alerts, _) = Make(Yaml);
        const int Shell = 4_190_001, Child = 4_190_002; // beyond any pid on the test machine: built from the events
        var fork = new ProcessEvent { Type = EventType.Clone, Pid = Shell, Tid = Shell, Ppid = 1, Comm = "bash", ChildPid = Child, Res = Child };
        var execCat = new ProcessEvent { Type = EventType.Execve, Pid = Child, Tid = Child, Ppid = Shell, Comm = "cat", ExePath = "/usr/bin/cat", Argv = ["cat", "/etc/shadow"] };
        var open = Open("/etc/shadow", Child);
        open.Ppid = Shell;
        // the shell then replaces itself (bash -c '...; exec sleep 1'): its entry is renamed
        var execSleep = new ProcessEvent { Type = EventType.Execve, Pid = Shell, Tid = Shell, Ppid = 1, Comm = "sleep", ExePath = "/usr/bin/sleep", Argv = ["sleep", "1"] };

        p.OnBatch(new HarrierEvent[] { fork, execCat, open, execSleep });

        var a = Assert.Single(alerts);
        Assert.Equal("shadow read by cat parent=bash", a.Output);
        Assert.Equal("sleep", open.Process!.Parent!.Name); // the table has moved on since
    }

    [Fact]
    public void OnBatch_MatchingEvent_AlertWithRenderedOutputAndCounters()
    {
        var (p, alerts, _) = Make(Rules);
        p.OnBatch(new HarrierEvent[] { Open("/etc/hostname"), Open("/etc/shadow") });

        var a = Assert.Single(alerts);
        Assert.Equal("Shadow read", a.Rule);
        Assert.Equal(Priority.Warning, a.Priority);
        Assert.Equal("host-a", a.Hostname);
        Assert.Contains("file=/etc/shadow", a.Output);
        Assert.Equal("none", a.Enforced);
        Assert.Equal(["test"], a.Tags);
        Assert.Equal(2, p.Events);
        Assert.Equal(1, p.MatchesPerRule["Shadow read"]);
        Assert.Equal(1, p.Verdicts["none"]);
    }

    [Fact]
    public void OnBatch_KillRuleInMonitorMode_WouldKillAndProcessLives()
    {
        var (p, alerts, _) = Make(Rules, "monitor");
        using var victim = Process.Start("sleep", "30");
        try
        {
            p.OnBatch(new HarrierEvent[] { Exec("nc", victim.Id) });
            var a = Assert.Single(alerts);
            Assert.Equal("would-kill", a.Enforced);
            Assert.Equal(RuleAction.Kill, a.Action);
            Assert.False(victim.WaitForExit(100));
        }
        finally
        {
            victim.Kill();
        }
    }

    [Fact]
    public void OnBatch_KillRuleInEnforceMode_ProcessKilledAndLatencyRecorded()
    {
        var (p, alerts, _) = Make(Rules, "enforce");
        using var victim = Process.Start("sleep", "30");
        p.OnBatch(new HarrierEvent[] { Exec("nc", victim.Id) });
        var a = Assert.Single(alerts);
        Assert.Equal("killed", a.Enforced);
        Assert.Equal(1_000_000, a.KillLatencyNs); // fake boot clock 2 ms - event captured at 1 ms
        Assert.True(victim.WaitForExit(5000));
        Assert.Equal(137, victim.ExitCode);
    }

    [Fact]
    public void Swap_NewRuleSet_NextBatchUsesItAndNoEventIsLost()
    {
        var (p, alerts, detection) = Make(Rules);
        p.OnBatch(new HarrierEvent[] { Open("/etc/shadow") });
        detection.Swap(Compile(Rules.Replace("/etc/shadow", "/etc/gshadow", StringComparison.Ordinal)));
        p.OnBatch(new HarrierEvent[] { Open("/etc/shadow"), Open("/etc/gshadow") });

        Assert.Equal(2, alerts.Count);
        Assert.Contains("file=/etc/shadow", alerts[0].Output);
        Assert.Contains("file=/etc/gshadow", alerts[1].Output);
        Assert.Equal(1, detection.Generation);
        Assert.Equal(3, p.Events);
    }

    [Fact]
    public void OnBatch_ExplainedEvent_DecisionGoesThroughTheRules()
    {
        const string yaml = """
            - rule: Profile denial
              desc: test
              condition: evt.type = seccomp_decision and decision.action = denied
              output: "%decision.action by %decision.policy"
              priority: NOTICE
            """;
        var (p, alerts, _) = Make(yaml);
        p.Explain = e => e.Res == -1 ? new DecisionEvent { Type = EventType.SeccompDecision, Source = EventSource.Seccomp, Pid = e.Pid, Hook = "seccomp", Action = "denied", Policy = "deny-mkdir.yaml" } : null;
        p.OnBatch(new HarrierEvent[] { Open("/etc/hostname"), Open("/tmp/x", pid: 77) });
        Assert.Empty(alerts);

        var failed = Open("/tmp/blocked", pid: 78);
        failed.Res = -1;
        p.OnBatch(new HarrierEvent[] { failed });
        var a = Assert.Single(alerts);
        Assert.Equal("Profile denial", a.Rule);
        Assert.Equal("denied by deny-mkdir.yaml", a.Output);
    }

    private static ProcessEvent Exec(string name, int pid) => new()
    {
        Type = EventType.Execve,
        Pid = pid,
        Tid = pid,
        Comm = name,
        ExePath = "/usr/bin/" + name,
        Filename = "/usr/bin/" + name,
        Argv = [name, "-e", "/bin/sh"],
        KTimeNs = 1_000_000,
        TimestampNs = 1_700_000_000_000_000_000,
    };
}
