using Harrier.Events;
using Harrier.Seccomp.Observe;
using Harrier.Seccomp.Profiles;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Seccomp.Tests;

public class SeccompProcessRegistryTests
{
    private static readonly SeccompProfile Profile = SeccompProfileLoader.Parse(
        "defaultAction: allow\nsyscalls:\n  - names: [mkdir, mkdirat]\n    action: errno\n    errno: EACCES\n  - names: [ptrace]\n    action: kill_process\n  - names: [connect]\n    action: notify\n",
        "deny.yaml");

    [Fact]
    public void TryExplain_ProfileErrnoOnRegisteredPid_BuildsSeccompDecision()
    {
        var r = new SeccompProcessRegistry();
        r.Register(100, Profile);
        var ev = new FileEvent { Type = EventType.Mkdirat, Pid = 100, Tid = 100, Res = -13, Path = "/tmp/x", Comm = "mkdir", TimestampNs = 42 };
        Assert.True(r.TryExplain(ev, out var d));
        Assert.Equal(EventType.SeccompDecision, d.Type);
        Assert.Equal(EventSource.Seccomp, d.Source);
        Assert.Equal("seccomp", d.Hook);
        Assert.Equal("mkdirat", d.Syscall);
        Assert.Equal("denied", d.Action);
        Assert.Equal("deny.yaml", d.Policy);
        Assert.Equal("/tmp/x", d.Subject);
        Assert.Equal(100, d.Pid);
        Assert.Equal("mkdir", d.Comm);
        Assert.Equal(42, d.TimestampNs);
    }

    [Fact]
    public void TryExplain_OtherErrnoSuccessOrUnlisted_NotExplained()
    {
        var r = new SeccompProcessRegistry();
        r.Register(100, Profile);
        Assert.False(r.TryExplain(new FileEvent { Type = EventType.Mkdir, Pid = 100, Res = -17 }, out _)); // EEXIST: not the profile
        Assert.False(r.TryExplain(new FileEvent { Type = EventType.Mkdir, Pid = 100, Res = 0 }, out _));
        Assert.False(r.TryExplain(new FileEvent { Type = EventType.Openat, Pid = 100, Res = -13 }, out _)); // openat is allowed
        Assert.False(r.TryExplain(new NetworkEvent { Type = EventType.Connect, Pid = 100, Res = -1 }, out _)); // notify: the supervisor reports
        Assert.False(r.TryExplain(new FileEvent { Type = EventType.Mkdir, Pid = 101, Res = -13 }, out _)); // another process
    }

    [Fact]
    public void TryExplain_DescendantThroughProcessTree_IsCovered()
    {
        var r = new SeccompProcessRegistry();
        r.Register(100, Profile);
        var root = new ProcessInfo { Pid = 100 };
        var child = new ProcessInfo { Pid = 200, Parent = root };
        var grandchild = new ProcessInfo { Pid = 300, Parent = child };
        Assert.True(r.TryExplain(new FileEvent { Type = EventType.Mkdir, Pid = 300, Res = -13, Process = grandchild }, out _));

        // without enrichment the direct parent still counts
        Assert.True(r.TryExplain(new FileEvent { Type = EventType.Mkdir, Pid = 200, Ppid = 100, Res = -13 }, out _));
    }

    [Fact]
    public void TryExplain_SigsysExit_IsAKillWhenTheProfileKills()
    {
        var r = new SeccompProcessRegistry();
        r.Register(100, Profile);
        Assert.True(r.TryExplain(new ProcessEvent { Type = EventType.ProcExit, Pid = 100, ExitSignal = 31 }, out var d));
        Assert.Equal("killed", d.Action);
        Assert.Null(d.Syscall);
        Assert.False(r.TryExplain(new ProcessEvent { Type = EventType.ProcExit, Pid = 100, ExitSignal = 9 }, out _));

        var noKill = new SeccompProcessRegistry();
        noKill.Register(100, SeccompProfileLoader.Parse("defaultAction: allow\n"));
        Assert.False(noKill.TryExplain(new ProcessEvent { Type = EventType.ProcExit, Pid = 100, ExitSignal = 31 }, out _));
    }

    [Fact]
    public void MarkExited_KeepsTheEntryForTheGraceThenForgets()
    {
        var time = new FakeTimeProvider();
        var r = new SeccompProcessRegistry(time, TimeSpan.FromSeconds(5));
        r.Register(100, Profile);
        r.MarkExited(100);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(r.TryExplain(new ProcessEvent { Type = EventType.ProcExit, Pid = 100, ExitSignal = 31 }, out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(r.TryExplain(new ProcessEvent { Type = EventType.ProcExit, Pid = 100, ExitSignal = 31 }, out _));
        Assert.Equal(0, r.Count);
    }
}
