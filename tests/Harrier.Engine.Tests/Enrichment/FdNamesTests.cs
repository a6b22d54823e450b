using Harrier.Engine.Enrichment;
using Harrier.Engine.Loading;
using Harrier.Events;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Engine.Tests.Enrichment;

public sealed class FdNamesTests : IDisposable
{
    private const long OCloexec = 0x80000;
    private readonly FakeProcfs _fs = new();

    public FdNamesTests()
    {
        _fs.Add(1, 0, "systemd", ["/sbin/init"], "/usr/lib/systemd/systemd", startTicks: 1);
        _fs.Add(600, 1, "bash", ["-bash"], "/usr/bin/bash", startTicks: 2000, cwd: "/home/alice", uid: 1000, gid: 1000, loginUid: 1000);
    }

    public void Dispose() => _fs.Dispose();

    private ProcessTable NewTable(int maxFdNames = 262144)
    {
        var options = new EnrichmentOptions { MaxProcesses = 64, MaxFdNames = maxFdNames, ProcRoot = _fs.Proc, EtcRoot = _fs.Etc };
        var table = new ProcessTable(options, new UserResolver(_fs.Etc, new FakeTimeProvider()));
        table.Seed();
        return table;
    }

    private static FileEvent Open(int pid, string path, long fd, long flags = 0) => new()
    {
        Type = EventType.Openat, Pid = pid, Tid = pid, Ppid = 1, Uid = 1000, Gid = 1000, Path = path, RawPath = path, Flags = flags, Res = fd, Fd = fd >= 0 ? (int)fd : -1,
    };

    private static FileEvent Close(int pid, int fd, long res = 0) => new()
    {
        Type = EventType.Close, Pid = pid, Tid = pid, Ppid = 1, Uid = 1000, Gid = 1000, Fd = fd, Res = res,
    };

    [Fact]
    public void Enrich_CloseOfFdOpenedEarlier_GetsItsName()
    {
        var table = NewTable();
        table.Enrich(Open(600, "/etc/shadow", 3));
        var close = Close(600, 3);
        table.Enrich(close);
        Assert.Equal("/etc/shadow", close.Path);

        var again = Close(600, 3, res: -9); // EBADF: the fd named nothing any more
        table.Enrich(again);
        Assert.Null(again.Path);
    }

    [Fact]
    public void Enrich_FailedOpen_NamesNoFd()
    {
        var table = NewTable();
        table.Enrich(Open(600, "/etc/shadow", -13));
        var close = Close(600, 3);
        table.Enrich(close);
        Assert.Null(close.Path);
    }

    [Fact]
    public void Enrich_ForkedChild_InheritsFdNamesAndParentKeepsItsOwn()
    {
        var table = NewTable();
        table.Enrich(Open(600, "/var/log/app.log", 5));
        var fork = new ProcessEvent { Type = EventType.Clone, Pid = 600, Tid = 600, Ppid = 1, Uid = 1000, Gid = 1000, ChildPid = 601, Res = 601 };
        table.Enrich(fork);

        var childClose = Close(601, 5);
        table.Enrich(childClose);
        var parentClose = Close(600, 5);
        table.Enrich(parentClose);

        Assert.Equal("/var/log/app.log", childClose.Path);
        Assert.Equal("/var/log/app.log", parentClose.Path);
    }

    [Fact]
    public void Enrich_Exec_ForgetsCloseOnExecFdsOnly()
    {
        var table = NewTable();
        table.Enrich(Open(600, "/tmp/kept", 3));
        table.Enrich(Open(600, "/tmp/cloexec", 4, OCloexec));
        var exec = new ProcessEvent { Type = EventType.Execve, Pid = 600, Tid = 600, Ppid = 1, Uid = 1000, Gid = 1000, Filename = "/usr/bin/cat", ExePath = "/usr/bin/cat", Argv = ["cat"] };
        table.Enrich(exec);

        var kept = Close(600, 3);
        var gone = Close(600, 4);
        table.Enrich(kept);
        table.Enrich(gone);
        Assert.Equal("/tmp/kept", kept.Path);
        Assert.Null(gone.Path);
    }

    [Fact]
    public void Set_PastCapacity_RefusesNewFdsButReplacesKnownOnes()
    {
        var names = new FdNames();
        for (int fd = 0; fd < FdNames.Capacity; fd++)
        {
            Assert.True(names.Set(fd, "/f" + fd, 0));
        }

        Assert.False(names.Set(FdNames.Capacity, "/new", 0));
        Assert.True(names.Set(7, "/replaced", 0));
        Assert.Equal("/replaced", names.Take(7));
        Assert.Equal(FdNames.Capacity - 1, names.Count);
    }

    [Fact]
    public void Enrich_FdTableFull_CountsOverflow()
    {
        var table = NewTable();
        for (int fd = 0; fd <= FdNames.Capacity; fd++)
        {
            table.Enrich(Open(600, "/f", fd));
        }

        Assert.Equal(1, table.FdOverflows);
    }

    [Fact]
    public void Enrich_TableWideBound_NewFdsRefusedForkCopySkippedAndExitReleases()
    {
        var table = NewTable(maxFdNames: 3);
        table.Enrich(Open(600, "/a", 3));
        table.Enrich(Open(600, "/b", 4));
        var fork = new ProcessEvent { Type = EventType.Clone, Pid = 600, Tid = 600, Ppid = 1, Uid = 1000, Gid = 1000, ChildPid = 601, Res = 601 };
        table.Enrich(fork); // 2 + 2 > 3: the child gets no copy
        Assert.Equal(2, table.FdOverflows);
        table.Enrich(Open(600, "/c", 5));
        table.Enrich(Open(600, "/d", 6)); // the bound is reached
        table.Enrich(Open(600, "/a2", 3)); // replacing a known fd needs no room
        Assert.Equal(3, table.FdOverflows);
        Assert.Equal(3, table.FdNamesHeld);

        var close = Close(600, 3);
        table.Enrich(close);
        Assert.Equal("/a2", close.Path);
        Assert.Equal(2, table.FdNamesHeld);

        var exit = new ProcessEvent { Type = EventType.ProcExit, Pid = 600, Tid = 600, Ppid = 1, Uid = 1000, Gid = 1000 };
        table.Enrich(exit);
        Assert.Equal(0, table.FdNamesHeld);
    }

    [Fact]
    public void Enrich_FdNamesOff_NothingKept()
    {
        var table = NewTable(maxFdNames: 0);
        table.Enrich(Open(600, "/etc/shadow", 3));
        var close = Close(600, 3);
        table.Enrich(close);
        Assert.Null(close.Path);
        Assert.Equal(0, table.FdNamesHeld);
    }

    [Fact]
    public void BuildInterestingMap_Close_AddsTheOpenFamilyThatNamesFds()
    {
        uint[] map = SyscallTable.BuildInterestingMap([EventType.Close]);
        Assert.Equal((uint)EventType.Close, map[3]);
        Assert.Equal((uint)EventType.Openat, map[257]);
        Assert.Equal((uint)EventType.Open, map[2]);
        Assert.Equal(0u, map[87]); // unlink: not asked for
    }
}
