using Harrier.Events;

namespace Harrier.Kernel.Tests.Observation;

[Collection(ProbeCollection.Name)]
public sealed class FileEventTests : IDisposable
{
    private readonly ProbeFixture _fx;
    private readonly string _dir;

    public FileEventTests(ProbeFixture fx)
    {
        _fx = fx;
        _dir = Directory.CreateTempSubdirectory("harrier-kt-").FullName;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [KernelFact]
    public void Open_AbsolutePath_ResolvedPathFlagsAndFd()
    {
        string file = Path.Combine(_dir, "a.txt");
        File.WriteAllText(file, "x");
        int pid = _fx.RunTrigger("open", file);
        var e = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == file);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Contains(e.Type, new[] { EventType.Open, EventType.Openat });
        Assert.Equal(file, e.Path);
        Assert.True(e.Res >= 3);
        Assert.Equal((int)e.Res, e.Fd);
        Assert.Equal(0, e.Flags & 3); // O_RDONLY
        Assert.Equal(Environment.ProcessId, e.Ppid);
        Assert.Equal("trigger", e.Comm);
        Assert.Equal(CgroupIdOfSelf(), e.CgroupId); // the child inherits our cgroup v2 id (the directory's inode)
        Assert.Equal(uint.Parse(File.ReadAllText("/proc/self/loginuid").Trim()), e.LoginUid);
        Assert.Equal(0u, e.Uid);
    }

    [KernelFact]
    public void Close_AfterOpen_SameFdAndResultZero()
    {
        string file = Path.Combine(_dir, "closed.txt");
        File.WriteAllText(file, "x");
        int pid = _fx.RunTrigger("open", file);
        var open = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == file && e.Res >= 0);
        Assert.True(open is not null, _fx.Describe(pid));
        // (the dynamic loader opened and closed the same fd number earlier: take the close after this open)
        var close = _fx.WaitFor<FileEvent>(pid, e => e.Type == EventType.Close && e.Fd == open.Fd && e.TimestampNs >= open.TimestampNs);
        Assert.True(close is not null, _fx.Describe(pid));
        Assert.Equal(0, close.Res);
    }

    [KernelFact]
    public void Open_FromChildCgroup_CgroupIdIsThatCgroupsInode()
    {
        string root = Directory.Exists("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
        string cg = Path.Combine(root, "harrier-kt-" + Environment.ProcessId);
        Directory.CreateDirectory(cg);
        try
        {
            ulong ino = Inode(cg);
            int pid = _fx.RunTrigger("-g", cg, "open", "/dev/null");
            var e = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == "/dev/null");
            Assert.True(e is not null, _fx.Describe(pid));
            Assert.Equal(ino, e.CgroupId);
            Assert.NotEqual(CgroupIdOfSelf(), e.CgroupId);
        }
        finally
        {
            Directory.Delete(cg);
        }
    }

    private static ulong CgroupIdOfSelf()
    {
        string line = File.ReadAllLines("/proc/self/cgroup").First(l => l.StartsWith("0::", StringComparison.Ordinal));
        string root = Directory.Exists("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
        return Inode(root + line[3..]);
    }

    private static ulong Inode(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string ino = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return ulong.Parse(ino);
    }

    [KernelFact]
    public void Openat_RelativeToCwdThroughDotDot_ResolvedAndRawPaths()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        string file = Path.Combine(_dir, "b.txt");
        File.WriteAllText(file, "x");
        int pid = _fx.RunTrigger("-C", Path.Combine(_dir, "sub"), "open", "../b.txt");
        var e = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == "../b.txt");
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(file, e.Path);
        Assert.True(e.Res >= 0);
    }

    [KernelFact]
    public void Openat_MissingRelativeFile_EnoentWithNormalisedPath()
    {
        int pid = _fx.RunTrigger("-C", _dir, "open", "./nope/../missing.txt");
        var e = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == "./nope/../missing.txt");
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(-2, e.Res); // ENOENT
        Assert.Equal(Path.Combine(_dir, "missing.txt"), e.Path);
        Assert.Equal(-1, e.Fd);
    }

    [KernelFact]
    public void Openat_DirfdRelative_ResolvedAgainstDirfd()
    {
        File.WriteAllText(Path.Combine(_dir, "c.txt"), "x");
        int pid = _fx.RunTrigger("openat", _dir, "c.txt");
        var e = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == "c.txt");
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(EventType.Openat, e.Type);
        Assert.NotEqual(-100, e.Dirfd);
        Assert.Equal(Path.Combine(_dir, "c.txt"), e.Path);
        Assert.NotEqual(0, e.Flags & 0x80000); // O_CLOEXEC
    }

    [KernelFact]
    public void Open_ProtectedFileAsNobody_Eacces()
    {
        string file = Path.Combine(_dir, "secret");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, UnixFileMode.UserRead);
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        int pid = _fx.RunTrigger("-u", "65534", "open", file);
        var e = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == file);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(-13, e.Res); // EACCES
        Assert.Equal(65534u, e.Uid);
        Assert.Equal(file, e.Path);
    }

    [KernelFact]
    public void Creat_NewFile_CreateFlagsAndMode()
    {
        string file = Path.Combine(_dir, "new.txt");
        int pid = _fx.RunTrigger("creat", file);
        var e = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == file);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.NotEqual(0, e.Flags & 0x40); // O_CREAT
        Assert.Equal(0x1a0u, e.Mode); // 0640
        Assert.Equal(file, e.Path);
    }

    [KernelFact]
    public void Openat_CreateWithExecMode_IsOpenExecAsFalco()
    {
        // what evt.is_open_exec needs from the probe: O_CREAT in the flags and the mode argument (0755 vs 0644)
        string exe = Path.Combine(_dir, "dropped.sh");
        string data = Path.Combine(_dir, "data.txt");
        int pid = _fx.Run("/usr/bin/python3", "-c", $"import os\nos.close(os.open('{exe}', os.O_WRONLY | os.O_CREAT, 0o755))\nos.close(os.open('{data}', os.O_WRONLY | os.O_CREAT, 0o644))");
        var withExec = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == exe);
        var plain = _fx.WaitFor<FileEvent>(pid, e => e.RawPath == data);
        Assert.True(withExec is not null && plain is not null, _fx.Describe(pid));
        Assert.Equal(0x1edu, withExec!.Mode);
        var isOpenExec = Harrier.Rules.EventFilter.Compile("evt.is_open_exec = true and evt.is_open_write = true");
        Assert.True(isOpenExec(withExec));
        Assert.False(isOpenExec(plain!));
    }

    [KernelFact]
    public void UnlinkRenameMkdirRmdir_RelativePaths_Resolved()
    {
        File.WriteAllText(Path.Combine(_dir, "old"), "x");
        int p1 = _fx.RunTrigger("-C", _dir, "rename", "old", "sub2/../new");
        int p2 = _fx.RunTrigger("-C", _dir, "mkdir", "d1");
        int p3 = _fx.RunTrigger("-C", _dir, "rmdir", "d1");
        int p4 = _fx.RunTrigger("-C", _dir, "unlink", "new");
        var rename = _fx.WaitFor<FileEvent>(p1, e => e.Type is EventType.Rename or EventType.Renameat or EventType.Renameat2);
        Assert.True(rename is not null, _fx.Describe(p1));
        Assert.Equal(Path.Combine(_dir, "old"), rename.Path);
        Assert.Equal("sub2/../new", rename.NewRawPath);
        Assert.Equal(Path.Combine(_dir, "new"), rename.NewPath);
        Assert.Equal(-2, rename.Res); // sub2 does not exist: ENOENT
        var mkdir = _fx.WaitFor<FileEvent>(p2, e => e.Type is EventType.Mkdir or EventType.Mkdirat);
        Assert.True(mkdir is not null, _fx.Describe(p2));
        Assert.Equal(Path.Combine(_dir, "d1"), mkdir.Path);
        Assert.Equal(0x1e8u, mkdir.Mode); // 0750
        Assert.Equal(0, mkdir.Res);
        var rmdir = _fx.WaitFor<FileEvent>(p3, e => e.Type is EventType.Rmdir or EventType.Unlinkat);
        Assert.True(rmdir is not null, _fx.Describe(p3));
        Assert.Equal(Path.Combine(_dir, "d1"), rmdir.Path);
        var unlink = _fx.WaitFor<FileEvent>(p4, e => e.Type is EventType.Unlink or EventType.Unlinkat);
        Assert.True(unlink is not null, _fx.Describe(p4));
        Assert.Equal(Path.Combine(_dir, "new"), unlink.Path);
        Assert.Equal(-2, unlink.Res);
    }

    [KernelFact]
    public void ChmodChownTruncateFchmod_FieldsCaptured()
    {
        string file = Path.Combine(_dir, "m");
        File.WriteAllText(file, "0123456789");
        int p1 = _fx.RunTrigger("chmod", file);
        int p2 = _fx.RunTrigger("chown", file);
        int p3 = _fx.RunTrigger("truncate", file);
        int p4 = _fx.RunTrigger("fchmod", file);
        var chmod = _fx.WaitFor<FileEvent>(p1, e => e.Type is EventType.Chmod or EventType.Fchmodat);
        Assert.True(chmod is not null, _fx.Describe(p1));
        Assert.Equal(0x180u, chmod.Mode);
        Assert.Equal(file, chmod.Path);
        var chown = _fx.WaitFor<FileEvent>(p2, e => e.Type is EventType.Chown or EventType.Fchownat);
        Assert.True(chown is not null, _fx.Describe(p2));
        Assert.Equal(1234, chown.OwnerUid);
        Assert.Equal(4321, chown.OwnerGid);
        var trunc = _fx.WaitFor<FileEvent>(p3, e => e.Type == EventType.Truncate);
        Assert.True(trunc is not null, _fx.Describe(p3));
        Assert.Equal(7, trunc.Length);
        var fchmod = _fx.WaitFor<FileEvent>(p4, e => e.Type == EventType.Fchmod);
        Assert.True(fchmod is not null, _fx.Describe(p4));
        Assert.Equal(file, fchmod.Path);
        Assert.Equal(0x184u, fchmod.Mode);
    }

    [KernelFact]
    public void LinkSymlink_BothPaths()
    {
        string target = Path.Combine(_dir, "t");
        File.WriteAllText(target, "x");
        int p1 = _fx.RunTrigger("-C", _dir, "link", "t", "hard");
        int p2 = _fx.RunTrigger("-C", _dir, "symlink", "/etc/passwd", "soft");
        var link = _fx.WaitFor<FileEvent>(p1, e => e.Type is EventType.Link or EventType.Linkat);
        Assert.True(link is not null, _fx.Describe(p1));
        Assert.Equal(target, link.Path);
        Assert.Equal(Path.Combine(_dir, "hard"), link.NewPath);
        var sym = _fx.WaitFor<FileEvent>(p2, e => e.Type is EventType.Symlink or EventType.Symlinkat);
        Assert.True(sym is not null, _fx.Describe(p2));
        Assert.Equal("/etc/passwd", sym.RawPath);
        Assert.Equal(Path.Combine(_dir, "soft"), sym.NewPath);
    }

    [KernelFact]
    public void Openat2_FlagsFromOpenHow()
    {
        string file = Path.Combine(_dir, "o2");
        File.WriteAllText(file, "x");
        int pid = _fx.RunTrigger("openat2", file);
        var e = _fx.WaitFor<FileEvent>(pid, e => e.Type == EventType.Openat2);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(file, e.Path);
        Assert.NotEqual(0, e.Flags & 0x20000); // O_NOFOLLOW
        Assert.True(e.Res >= 0);
    }

    [KernelFact]
    public void Open_PathLongerThanPathMax_TruncatedFlagAndEnametoolong()
    {
        string longPath = "/" + string.Join('/', Enumerable.Repeat(new string('x', 200), 25));
        int pid = _fx.RunTrigger("open", longPath);
        var e = _fx.WaitFor<FileEvent>(pid, e => e.Type is EventType.Open or EventType.Openat && e.RawPath is not null && e.RawPath.StartsWith("/xxxx", StringComparison.Ordinal));
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(-36, e.Res); // ENAMETOOLONG
        Assert.True(e.Truncated);
        Assert.Equal(4095, e.RawPath!.Length);
    }
}
