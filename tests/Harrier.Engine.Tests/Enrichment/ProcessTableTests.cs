using Harrier.Engine.Enrichment;
using Harrier.Events;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Engine.Tests.Enrichment;

public sealed class ProcessTableTests : IDisposable
{
    private const string DockerId = "3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f";
    private readonly FakeProcfs _fs = new();

    public ProcessTableTests()
    {
        _fs.Add(1, 0, "systemd", ["/sbin/init", "splash"], "/usr/lib/systemd/systemd", startTicks: 1, cgroup: "/init.scope", tty: 0);
        _fs.Add(500, 1, "sshd", ["sshd: alice [priv]"], "/usr/sbin/sshd", startTicks: 1000, tty: 0);
        _fs.Add(600, 500, "bash", ["-bash"], "/usr/bin/bash", startTicks: 2000, cwd: "/home/alice", uid: 1000, gid: 1000, loginUid: 1000);
    }

    public void Dispose() => _fs.Dispose();

    private ProcessTable NewTable(int max = 1024, FakeTimeProvider? time = null)
    {
        var options = new EnrichmentOptions { MaxProcesses = max, ProcRoot = _fs.Proc, EtcRoot = _fs.Etc };
        return new ProcessTable(options, new UserResolver(_fs.Etc, time ?? new FakeTimeProvider()));
    }

    private static ProcessEvent Proc(EventType type, int pid, int ppid, string comm, uint uid = 1000, uint gid = 1000) => new()
    {
        Type = type,
        Pid = pid,
        Tid = pid,
        Ppid = ppid,
        Comm = comm,
        Uid = uid,
        Gid = gid,
        LoginUid = 1000,
    };

    private static FileEvent Open(int pid, int ppid, string comm, ulong startNs = 0) => new()
    {
        Type = EventType.Openat,
        Pid = pid,
        Tid = pid,
        Ppid = ppid,
        Comm = comm,
        Uid = 1000,
        Gid = 1000,
        LoginUid = 1000,
        ProcStartNs = startNs,
        Path = "/etc/shadow",
    };

    private static void ForkExec(ProcessTable table, int parent, int grandparent, string parentComm, int child, string childComm, string exe, params string[] argv)
    {
        var fork = Proc(EventType.Clone, parent, grandparent, parentComm);
        fork.ChildPid = child;
        fork.Res = child;
        table.Enrich(fork);

        var exec = Proc(EventType.Execve, child, parent, childComm);
        exec.Filename = exe;
        exec.ExePath = exe;
        exec.Argv = argv;
        table.Enrich(exec);
    }

    [Fact]
    public void Seed_ProcessesStartedBeforeHarrier_AreReadFromProcfs()
    {
        var table = NewTable();

        int created = table.Seed();

        Assert.Equal(3, created);
        Assert.Equal(3, table.Count);
        var bash = table.Find(600)!;
        Assert.Equal("bash", bash.Name);
        Assert.Equal("/usr/bin/bash", bash.ExePath);
        Assert.Equal("-bash", bash.Exe);
        Assert.Empty(bash.Args);
        Assert.Equal("/home/alice", bash.Cwd);
        Assert.Equal(1000u, bash.Uid); // the effective uid, not the real one
        Assert.Equal("alice", bash.UserName);
        Assert.Equal("alice", bash.GroupName);
        Assert.Equal("alice", bash.LoginUserName);
        Assert.Equal(34816, bash.Tty);
        Assert.Equal(600, bash.Sid);
        Assert.Equal(2000 * ProcessTable.NsPerTick, bash.StartNs);
        Assert.True(bash.FromProcfs);
        Assert.Equal("sshd", bash.Parent!.Name);
        Assert.Equal("systemd", bash.Ancestor(2)!.Name);
        Assert.Null(bash.Ancestor(3));
        Assert.Equal("host", bash.ContainerId);
        Assert.Equal("/sbin/init splash", table.Find(1)!.Exe + " " + string.Join(' ', table.Find(1)!.Args));
    }

    [Fact]
    public void Enrich_ThreeLevelChain_GivesParentAndAncestorNames()
    {
        var table = NewTable();
        table.Seed();

        ForkExec(table, 600, 500, "bash", 700, "sudo", "/usr/bin/sudo", "sudo", "-i");
        ForkExec(table, 700, 600, "sudo", 800, "cat", "/usr/bin/cat", "cat", "/etc/shadow");
        var e = Open(800, 700, "cat");
        table.Enrich(e);

        Assert.NotNull(e.Process);
        Assert.Equal("cat", e.Process!.Name);
        Assert.Equal("sudo", e.Process.Parent!.Name);          // proc.pname
        Assert.Equal("bash", e.Process.Ancestor(2)!.Name);     // proc.aname[2]
        Assert.Equal("sshd", e.Process.Ancestor(3)!.Name);
        Assert.Equal("cat /etc/shadow", e.Process.Cmdline);
        Assert.Equal("/home/alice", e.Process.Cwd);             // inherited over fork
        Assert.Equal(5, table.Count);
    }

    [Fact]
    public void Enrich_Exec_ReplacesNameExeAndArgs()
    {
        var table = NewTable();
        table.Seed();
        var fork = Proc(EventType.Fork, 600, 500, "bash");
        fork.ChildPid = 601;
        table.Enrich(fork);
        var child = table.Find(601)!;
        Assert.Equal("bash", child.Name); // a fork copies the parent
        Assert.Same(table.Find(600), child.Parent);

        var exec = Proc(EventType.Execve, 601, 600, "python3");
        exec.Filename = "python3";
        exec.ExePath = "/usr/bin/python3.12";
        exec.Argv = new List<string> { "python3", "-c", "print(1)" };
        table.Enrich(exec);

        Assert.Same(child, exec.Process);
        Assert.Equal("python3", child.Name);
        Assert.Equal("/usr/bin/python3.12", child.ExePath);
        Assert.Equal("python3", child.Exe);
        Assert.Equal(new[] { "-c", "print(1)" }, child.Args);
        Assert.Equal("python3 -c print(1)", child.Cmdline);
        Assert.False(child.FromProcfs);
    }

    [Fact]
    public void Enrich_Exec_ReadsEnvironmentAndCurrentCwdOfTheNewImage()
    {
        var table = NewTable();
        table.Seed();
        var fork = Proc(EventType.Fork, 600, 500, "bash");
        fork.ChildPid = 701;
        table.Enrich(fork);
        _fs.Add(701, 600, "env", ["env"], "/usr/bin/env", cwd: "/srv/app");
        File.WriteAllText(Path.Combine(_fs.Proc, "701", "environ"), "HOME=/home/alice\0PATH=/usr/bin\0");

        var exec = Proc(EventType.Execve, 701, 600, "env");
        exec.ExePath = "/usr/bin/env";
        exec.Argv = ["env"];
        table.Enrich(exec);

        var p = table.Find(701)!;
        Assert.Equal(["HOME=/home/alice", "PATH=/usr/bin"], p.Env);
        Assert.Equal("/srv/app", p.Cwd);
    }

    [Fact]
    public void Enrich_ExecAfterSetsid_TakesTheNewTerminalAndSession()
    {
        var table = NewTable();
        table.Seed();
        var fork = Proc(EventType.Fork, 1, 0, "systemd");
        fork.ChildPid = 702;
        table.Enrich(fork);
        Assert.Equal(0, table.Find(702)!.Tty); // inherited from systemd at fork

        // The child called setsid() and opened a pty as its controlling terminal before exec (as script or login do).
        _fs.Add(702, 1, "bash", ["bash"], "/usr/bin/bash", tty: 34821, sid: 702, pgrp: 702);
        var exec = Proc(EventType.Execve, 702, 1, "bash");
        exec.ExePath = "/usr/bin/bash";
        exec.Argv = ["bash"];
        table.Enrich(exec);

        var p = table.Find(702)!;
        Assert.Equal(34821, p.Tty);
        Assert.Equal(702, p.Sid);
        Assert.Equal(702, p.Pgid);
    }

    [Fact]
    public void Enrich_Capabilities_FromProcfsThenForkExecAndCapset()
    {
        const ulong SysAdmin = 1UL << 21, SysModule = 1UL << 16, NetRaw = 1UL << 13;
        _fs.Add(800, 1, "dockerd", ["dockerd"], "/usr/bin/dockerd", capEff: SysAdmin | SysModule);
        var table = NewTable();
        table.Seed();
        Assert.Equal(SysAdmin | SysModule, table.Find(800)!.Caps!.Value.Effective); // read from /proc/800/status

        var fork = Proc(EventType.Fork, 800, 1, "dockerd");
        fork.ChildPid = 801;
        table.Enrich(fork);
        Assert.Equal(SysAdmin | SysModule, table.Find(801)!.Caps!.Value.Effective); // inherited

        var exec = Proc(EventType.Execve, 801, 800, "sh");
        exec.ExePath = "/usr/bin/sh";
        exec.Argv = ["sh"];
        exec.Caps = new Capabilities(NetRaw, NetRaw | SysAdmin, 0); // what the probes read after the exec
        table.Enrich(exec);
        Assert.Equal(new Capabilities(NetRaw, NetRaw | SysAdmin, 0), table.Find(801)!.Caps);

        var capset = new PrivilegeEvent { Type = EventType.Capset, Pid = 801, Tid = 801, Ppid = 800, Comm = "sh", Target2 = (long)SysAdmin, CapPermitted = NetRaw | SysAdmin };
        table.Enrich(capset);
        Assert.Equal(new Capabilities(SysAdmin, NetRaw | SysAdmin, 0), table.Find(801)!.Caps);

        var failed = new PrivilegeEvent { Type = EventType.Capset, Pid = 801, Tid = 801, Ppid = 800, Comm = "sh", Res = -1, Target2 = 0 };
        table.Enrich(failed);
        Assert.Equal(SysAdmin, table.Find(801)!.Caps!.Value.Effective); // a refused capset changes nothing
    }

    [Fact]
    public void Changes_OnlyForEventsThatWouldAlterAnEntry()
    {
        var table = NewTable();
        table.Seed();
        var known = Open(600, 500, "bash");
        table.Enrich(known);

        var same = Open(600, 500, "bash");
        Assert.False(table.Changes(same)); // an open by a known process with the same credentials

        var setuid = Open(600, 500, "bash");
        setuid.Uid = 0;
        Assert.True(table.Changes(setuid)); // the entry's uid and user name would change

        Assert.True(table.Changes(Proc(EventType.Execve, 600, 500, "bash")));
        Assert.True(table.Changes(new PrivilegeEvent { Type = EventType.Capset, Pid = 600, Tid = 600, Ppid = 500, Uid = 1000, Gid = 1000, LoginUid = 1000 }));
        Assert.True(table.Changes(Open(4_190_009, 500, "new"))); // not in the table: creating it may evict or relink others
        Assert.False(table.Changes(new FileEvent { Pid = 0 }));
    }

    [Fact]
    public void Enrich_SendtoDestinations_NameChangedOnlyWhenThePeerChanges()
    {
        var table = NewTable();
        table.Seed();
        NetworkEvent Net(EventType type, int fd, string ip, ushort port, long res = 0)
        {
            var e = new NetworkEvent { Type = type, Pid = 600, Tid = 600, Ppid = 500, Comm = "bash", Uid = 1000, Gid = 1000, LoginUid = 1000, Fd = fd, Res = res, Remote = SockAddress.FromIP(System.Net.IPAddress.Parse(ip), port) };
            table.Enrich(e);
            return e;
        }

        Assert.True(Net(EventType.Sendto, 5, "203.0.113.1", 53, res: 40).NameChanged); // first destination of fd 5
        Assert.False(Net(EventType.Sendto, 5, "203.0.113.1", 53, res: 40).NameChanged); // same again
        Assert.True(Net(EventType.Sendmsg, 5, "203.0.113.2", 53, res: 40).NameChanged); // another one
        Assert.True(Net(EventType.Sendto, 6, "203.0.113.2", 53, res: 40).NameChanged); // per fd
        Assert.False(Net(EventType.Sendto, 5, "203.0.113.9", 53, res: -1).NameChanged); // a failed send changes nothing
        Assert.False(Net(EventType.Sendto, 5, "203.0.113.2", 53, res: 40).NameChanged);

        Net(EventType.Connect, 7, "198.51.100.4", 443, res: -115); // connecting (EINPROGRESS) names the fd
        Assert.False(Net(EventType.Sendto, 7, "198.51.100.4", 443, res: 10).NameChanged);

        table.Enrich(new FileEvent { Type = EventType.Close, Pid = 600, Tid = 600, Ppid = 500, Comm = "bash", Uid = 1000, Gid = 1000, LoginUid = 1000, Fd = 5 });
        Assert.True(Net(EventType.Sendto, 5, "203.0.113.2", 53, res: 40).NameChanged); // a reused fd starts afresh

        var fork = Proc(EventType.Fork, 600, 500, "bash");
        fork.ChildPid = 601;
        table.Enrich(fork);
        var child = new NetworkEvent { Type = EventType.Sendto, Pid = 601, Tid = 601, Ppid = 600, Comm = "bash", Uid = 1000, Gid = 1000, LoginUid = 1000, Fd = 6, Res = 40, Remote = SockAddress.FromIP(System.Net.IPAddress.Parse("203.0.113.2"), 53) };
        table.Enrich(child);
        Assert.False(child.NameChanged); // the child inherited fd 6 with its peer
    }

    [Fact]
    public void Enrich_FailedExec_ChangesNothing()
    {
        var table = NewTable();
        table.Seed();

        var exec = Proc(EventType.Execve, 600, 500, "bash");
        exec.Res = -2;
        exec.ExePath = "/nonexistent";
        exec.Argv = ["/nonexistent"];
        table.Enrich(exec);

        Assert.Equal("bash", table.Find(600)!.Name);
        Assert.Equal("/usr/bin/bash", table.Find(600)!.ExePath);
    }

    [Fact]
    public void Enrich_CloneThread_CreatesNoProcess()
    {
        var table = NewTable();
        table.Seed();

        var clone = Proc(EventType.Clone, 600, 500, "bash");
        clone.ChildPid = 602;
        clone.Flags = 0x0001_0000 | 0x0000_0100; // CLONE_THREAD | CLONE_VM
        table.Enrich(clone);

        Assert.Null(table.Find(602));
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void Enrich_Exit_RemovesEntryButLateEventsStillResolve()
    {
        var table = NewTable();
        table.Seed();
        ForkExec(table, 600, 500, "bash", 700, "sleep", "/usr/bin/sleep", "sleep", "1");
        Assert.Equal(4, table.Count);

        var exit = Proc(EventType.ProcExit, 700, 600, "sleep");
        table.Enrich(exit);

        Assert.Equal(3, table.Count);
        Assert.Equal(1, table.ExitedCount);
        Assert.True(exit.Process!.Exited);
        Assert.Equal("sleep", exit.Process.Name);

        var late = Open(700, 600, "sleep");
        table.Enrich(late);
        Assert.Same(exit.Process, late.Process);
        Assert.Equal(3, table.Count); // a late event does not resurrect the process
    }

    [Fact]
    public void Enrich_NonLeaderThreadExit_KeepsProcess()
    {
        var table = NewTable();
        table.Seed();

        var exit = Proc(EventType.ProcExit, 600, 500, "bash");
        exit.Tid = 612;
        table.Enrich(exit);

        Assert.False(table.Find(600)!.Exited);
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void Enrich_ParentExits_ChildIsReparentedToTheRealParent()
    {
        var table = NewTable();
        table.Seed();
        ForkExec(table, 600, 500, "bash", 700, "nohup", "/usr/bin/nohup", "nohup", "sleep");
        table.Enrich(Proc(EventType.ProcExit, 600, 500, "bash"));

        // While the kernel still reports the old parent, the exited entry keeps proc.pname right.
        var before = Open(700, 600, "nohup");
        table.Enrich(before);
        Assert.Equal("bash", before.Process!.Parent!.Name);
        Assert.True(before.Process.Parent.Exited);

        // Then the kernel reparents to init.
        var after = Open(700, 1, "nohup");
        table.Enrich(after);
        Assert.Equal(1, after.Process!.Ppid);
        Assert.Equal("systemd", after.Process.Parent!.Name);
    }

    [Fact]
    public void Enrich_ParentExitsAndEventHasNoPpid_ReparentsFromProcfs()
    {
        var table = NewTable();
        table.Seed();
        _fs.Add(650, 600, "make", ["make"], "/usr/bin/make", startTicks: 3000);
        table.Enrich(Open(650, 0, "make"));
        table.Enrich(Proc(EventType.ProcExit, 600, 500, "bash"));
        _fs.Add(650, 1, "make", ["make"], "/usr/bin/make", startTicks: 3000); // the kernel reparented it

        var e = Open(650, 0, "make");
        table.Enrich(e);

        Assert.Equal("systemd", e.Process!.Parent!.Name);
    }

    [Fact]
    public void Enrich_UnknownPid_IsCreatedFromProcfsWithItsAncestors()
    {
        var table = NewTable(); // not seeded
        _fs.Add(900, 600, "vim", ["vim", "/etc/hosts"], "/usr/bin/vim.basic", startTicks: 5000, uid: 1000, gid: 50);

        var e = Open(900, 600, "vim");
        e.Gid = 50;
        table.Enrich(e);

        Assert.Equal("vim", e.Process!.Name);
        Assert.Equal("/usr/bin/vim.basic", e.Process.ExePath);
        Assert.Equal("staff", e.Process.GroupName);
        Assert.Equal("bash", e.Process.Parent!.Name);
        Assert.Equal("systemd", e.Process.Ancestor(3)!.Name);
        Assert.Equal(4, table.Count);
    }

    [Fact]
    public void Enrich_PidGoneFromProcfs_BuildsEntryFromEventAndCountsMiss()
    {
        var table = NewTable();
        table.Seed();

        var e = Open(4242, 600, "ghost");
        e.Uid = 0;
        table.Enrich(e);

        Assert.Equal("ghost", e.Process!.Name);
        Assert.Equal("root", e.Process.UserName);
        Assert.Equal("bash", e.Process.Parent!.Name);
        Assert.Equal(1, table.ProcfsMisses);
    }

    [Fact]
    public void Enrich_PidReused_ReplacesEntryAndKeepsOldForLateEvents()
    {
        var table = NewTable();
        table.Seed();
        ulong oldStart = 2000 * ProcessTable.NsPerTick + 3_000_000; // procfs truncates to the tick
        var first = Open(600, 500, "bash", oldStart);
        table.Enrich(first);
        var oldInfo = first.Process!;
        Assert.Equal("bash", oldInfo.Name);

        // bash died unseen; pid 600 now belongs to another process, started much later.
        _fs.Add(600, 1, "nginx", ["nginx: worker"], "/usr/sbin/nginx", startTicks: 90000, uid: 33);
        var second = Open(600, 1, "nginx", 90000 * ProcessTable.NsPerTick + 5);
        table.Enrich(second);

        Assert.NotSame(oldInfo, second.Process);
        Assert.Equal("nginx", second.Process!.Name);
        Assert.Equal("systemd", second.Process.Parent!.Name);
        Assert.True(oldInfo.Exited);
        Assert.Equal(1, table.PidReuses);

        var late = Open(600, 500, "bash", oldStart);
        table.Enrich(late);
        Assert.Same(oldInfo, late.Process);
        Assert.Same(second.Process, table.Find(600));
    }

    [Fact]
    public void Enrich_ForkChildStartLearntFromFirstEvent()
    {
        var table = NewTable();
        table.Seed();
        var fork = Proc(EventType.Fork, 600, 500, "bash");
        fork.ChildPid = 610;
        fork.KTimeNs = 7_777_100_000; // the fork returned in the parent just after the child started
        table.Enrich(fork);

        var first = Open(610, 600, "bash", 7_777_000_000);
        table.Enrich(first);

        Assert.Equal(7_777_000_000ul, first.Process!.StartNs);
        Assert.Equal(0, table.PidReuses);
    }

    [Fact]
    public void Enrich_ForkedChildNeverSeenAndPidReused_IsReplaced()
    {
        var table = NewTable();
        table.Seed();
        var fork = Proc(EventType.Fork, 600, 500, "bash");
        fork.ChildPid = 640;
        fork.KTimeNs = 5_000_000_000;
        table.Enrich(fork); // child 640 exits without its exit event reaching us

        _fs.Add(640, 1, "cron", ["/usr/sbin/cron"], "/usr/sbin/cron", startTicks: 900); // 9 s after boot
        var e = Open(640, 1, "cron", 9_000_000_000);
        table.Enrich(e);

        Assert.Equal("cron", e.Process!.Name);
        Assert.Equal("systemd", e.Process.Parent!.Name);
        Assert.Equal(1, table.PidReuses);
    }

    [Fact]
    public void Enrich_TableFull_EvictsExitedThenLeastRecentAndCounts()
    {
        var table = NewTable(max: 4);
        table.Seed(); // 1, 500, 600
        table.Enrich(Open(1, 0, "systemd"));
        table.Enrich(Open(600, 500, "bash")); // 500 is now the least recently used

        ForkExec(table, 600, 500, "bash", 700, "a", "/bin/a", "a");   // 4 live entries
        Assert.Equal(0, table.Evictions);
        table.Enrich(Proc(EventType.ProcExit, 700, 600, "a"));        // 3 live + 1 exited

        ForkExec(table, 600, 500, "bash", 701, "b", "/bin/b", "b");   // evicts the exited 700
        Assert.Equal(1, table.Evictions);
        Assert.Null(table.Find(700));

        ForkExec(table, 600, 500, "bash", 702, "c", "/bin/c", "c");   // evicts live 500 (least recent)
        Assert.Equal(2, table.Evictions);
        Assert.Equal(4, table.Count);
        Assert.Null(table.Find(500));
        Assert.NotNull(table.Find(600));
        Assert.NotNull(table.Find(702));
        Assert.Equal("sshd", table.Find(600)!.Parent!.Name); // children keep their parent's data
    }

    [Fact]
    public void Enrich_CloneParentFlag_MakesChildASiblingOfTheCaller()
    {
        var table = NewTable();
        table.Seed();
        var clone = Proc(EventType.Clone, 600, 500, "bash");
        clone.ChildPid = 620;
        clone.Flags = 0x0000_8000; // CLONE_PARENT
        table.Enrich(clone);

        Assert.Equal(500, table.Find(620)!.Ppid);
        Assert.Equal("sshd", table.Find(620)!.Parent!.Name);
    }

    [Fact]
    public void Enrich_ChildSeenBeforeForkEvent_KeepsProcfsEntry()
    {
        var table = NewTable();
        table.Seed();
        _fs.Add(630, 600, "ls", ["ls", "-l"], "/usr/bin/ls", startTicks: 4000);
        table.Enrich(Open(630, 600, "ls"));

        var fork = Proc(EventType.Fork, 600, 500, "bash");
        fork.ChildPid = 630;
        table.Enrich(fork);

        Assert.Equal("ls", table.Find(630)!.Name);
        Assert.Equal(0, table.PidReuses);
    }

    [Fact]
    public void Enrich_CredentialChange_UpdatesUserNames()
    {
        var table = NewTable();
        table.Seed();

        var e = Open(600, 500, "bash");
        e.Uid = 0;
        e.Gid = 50;
        table.Enrich(e);

        Assert.Equal("root", e.Process!.UserName);
        Assert.Equal("staff", e.Process.GroupName);
        Assert.Equal("alice", e.Process.LoginUserName);
    }

    [Fact]
    public void Enrich_PasswdChanges_NamesRefreshAfterInterval()
    {
        var time = new FakeTimeProvider();
        var table = NewTable(time: time);
        table.Seed();
        File.WriteAllText(Path.Combine(_fs.Etc, "passwd"), "root:x:0:0:root:/root:/bin/bash\nalice2:x:1000:1000:Alice:/home/alice:/bin/zsh\n");

        var e = Open(600, 500, "bash");
        table.Enrich(e);
        Assert.Equal("alice", e.Process!.UserName); // not re-checked yet

        time.Advance(UserResolver.DefaultRefreshInterval + TimeSpan.FromSeconds(1));
        table.Enrich(e);
        Assert.Equal("alice2", e.Process.UserName);
        Assert.Equal("alice2", e.Process.LoginUserName);
    }

    [Fact]
    public void Enrich_CgroupIdChanges_ContainerIsReread()
    {
        var table = NewTable();
        table.Seed();
        var e = Open(600, 500, "bash");
        e.CgroupId = 11;
        table.Enrich(e);
        Assert.Equal("host", e.Process!.ContainerId);

        _fs.Add(600, 500, "bash", ["-bash"], "/usr/bin/bash", startTicks: 2000, uid: 1000, gid: 1000,
            cgroup: $"/system.slice/docker-{DockerId}.scope");
        e.CgroupId = 12;
        table.Enrich(e);

        Assert.Equal(DockerId[..12], e.Process.ContainerId);
        Assert.Equal(DockerId, e.Process.ContainerFullId);
        Assert.Equal("docker", e.Process.ContainerRuntime);
    }

    [Fact]
    public void Enrich_ContainerWithDockerState_CarriesItsMetadataToForkedChildren()
    {
        string docker = Path.Combine(_fs.Root, "docker");
        Directory.CreateDirectory(Path.Combine(docker, "containers", DockerId));
        File.WriteAllText(Path.Combine(docker, "containers", DockerId, "config.v2.json"), """{"Name":"/db","Config":{"Image":"postgres:16"}}""");
        File.WriteAllText(Path.Combine(docker, "containers", DockerId, "hostconfig.json"), """{"Privileged":true}""");
        _fs.Add(3000, 1, "postgres", ["postgres"], "/usr/bin/postgres", startTicks: 100, cgroup: $"/system.slice/docker-{DockerId}.scope");
        var options = new EnrichmentOptions { ProcRoot = _fs.Proc, EtcRoot = _fs.Etc };
        var reader = new ContainerMetadataReader(docker, Path.Combine(_fs.Root, "containerd"), Path.Combine(_fs.Root, "storage"), new FakeTimeProvider());
        var table = new ProcessTable(options, new UserResolver(_fs.Etc, new FakeTimeProvider()), containers: reader);
        table.Seed();

        var fork = Proc(EventType.Fork, 3000, 1, "postgres");
        fork.ChildPid = 3001;
        table.Enrich(fork);

        var child = table.Find(3001)!;
        Assert.Equal("db", child.Container?.Name);
        Assert.Equal("postgres", child.Container?.ImageRepository);
        Assert.True(child.Container?.Privileged);
        Assert.Same(table.Find(3000)!.Container, child.Container);
        Assert.Null(table.Find(600)!.Container); // the host
        Assert.Equal((1L, 0L), table.ContainerMetadata);
    }

    [Fact]
    public void Enrich_ForkedChild_InheritsContainer()
    {
        _fs.Add(3000, 1, "containerd-shim", ["containerd-shim"], "/usr/bin/containerd-shim", startTicks: 100,
            cgroup: $"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-{DockerId}.scope");
        var table = NewTable();
        table.Seed();

        var fork = Proc(EventType.Fork, 3000, 1, "containerd-shim");
        fork.ChildPid = 3001;
        table.Enrich(fork);

        Assert.Equal(DockerId[..12], table.Find(3001)!.ContainerId);
        Assert.Equal("containerd", table.Find(3001)!.ContainerRuntime);
    }

    [Fact]
    public void Enrich_PidZero_SetsNoProcess()
    {
        var table = NewTable();
        var e = Open(0, 0, "swapper");
        e.Process = new ProcessInfo();

        table.Enrich(e);

        Assert.Null(e.Process);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Enrich_KnownProcess_DoesNotAllocate()
    {
        var table = NewTable();
        table.Seed();
        var a = Open(600, 500, "bash");
        var b = Open(500, 1, "sshd");
        b.Uid = 0;
        b.Gid = 0;
        b.LoginUid = uint.MaxValue;
        for (int i = 0; i < 100; i++)
        {
            table.Enrich(a); // warm up: first-call JIT and credential updates
            table.Enrich(b);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            table.Enrich(a);
            table.Enrich(b);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Seed_HostileProcEntries_AreSkippedNotFatal()
    {
        Directory.CreateDirectory(Path.Combine(_fs.Proc, "777"));
        File.WriteAllText(Path.Combine(_fs.Proc, "777", "stat"), "garbage without parens");
        Directory.CreateDirectory(Path.Combine(_fs.Proc, "778"));
        File.WriteAllText(Path.Combine(_fs.Proc, "778", "stat"), "778 (a) b) c) S 778 x");
        _fs.Add(779, 779, "selfparent", ["x"], "/x"); // a cycle must not recurse forever
        Directory.CreateDirectory(Path.Combine(_fs.Proc, "self"));

        var table = NewTable();
        table.Seed();

        Assert.Null(table.Find(777));
        Assert.Null(table.Find(778));
        Assert.Null(table.Find(779)!.Parent);
        Assert.Equal(4, table.Count);
    }

    [Fact]
    public void Seed_ParentCycle_Terminates()
    {
        _fs.Add(801, 802, "a", ["a"], "/a");
        _fs.Add(802, 801, "b", ["b"], "/b");

        var table = NewTable();
        table.Seed();

        Assert.Same(table.Find(802), table.Find(801)!.Parent);
        Assert.Same(table.Find(801), table.Find(802)!.Parent);
    }
}
