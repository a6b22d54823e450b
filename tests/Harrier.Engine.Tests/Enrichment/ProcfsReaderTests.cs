using Harrier.Engine.Enrichment;

namespace Harrier.Engine.Tests.Enrichment;

public sealed class ProcfsReaderTests : IDisposable
{
    private readonly FakeProcfs _fs = new();

    public void Dispose() => _fs.Dispose();

    [Fact]
    public void TryReadStat_CommWithSpacesAndParens_ParsesFieldsAfterLastParen()
    {
        _fs.Add(42, 7, "evil) S 1 (x", ["x"], "/x", startTicks: 123456, tty: 34817, sid: 40, pgrp: 41);
        var reader = new ProcfsReader(_fs.Proc);

        Assert.True(reader.TryReadStat(42, out var st));

        Assert.Equal("evil) S 1 (x", st.Comm);
        Assert.Equal(7, st.Ppid);
        Assert.Equal(41, st.Pgrp);
        Assert.Equal(40, st.Session);
        Assert.Equal(34817, st.TtyNr);
        Assert.Equal(123456ul, st.StartTicks);
    }

    [Fact]
    public void ReadCmdline_HugeCommandLine_IsCappedNotFatal()
    {
        var argv = Enumerable.Range(0, 50_000).Select(i => "arg" + i).ToArray(); // ~340 KiB
        _fs.Add(43, 1, "big", argv, "/big");
        var reader = new ProcfsReader(_fs.Proc);

        var read = reader.ReadCmdline(43);

        Assert.Equal(ProcfsReader.MaxArgs, read.Length);
        Assert.Equal("arg0", read[0]);
        Assert.Equal("arg1023", read[^1]);
    }

    [Fact]
    public void ReadCmdline_EmptyArgumentsArePreserved()
    {
        _fs.Add(44, 1, "sh", ["sh", "-c", "", "x"], "/bin/sh");

        Assert.Equal(new[] { "sh", "-c", string.Empty, "x" }, new ProcfsReader(_fs.Proc).ReadCmdline(44));
    }

    [Fact]
    public void Readers_GoneProcess_ReturnEmptyValues()
    {
        var reader = new ProcfsReader(_fs.Proc);

        Assert.False(reader.TryReadStat(99999, out _));
        Assert.False(reader.TryReadStatus(99999, out _, out _, out var caps));
        Assert.Null(caps);
        Assert.Equal(uint.MaxValue, reader.ReadLoginUid(99999));
        Assert.Empty(reader.ReadCmdline(99999));
        Assert.Equal(string.Empty, reader.ReadLink(99999, "exe"));
        Assert.Equal(string.Empty, reader.ReadCgroupPath(99999));
    }

    [Fact]
    public void ReadCgroupPath_V1Hierarchy_PicksTheContainerLine()
    {
        _fs.Add(45, 1, "nginx", ["nginx"], "/usr/sbin/nginx");
        const string id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        File.WriteAllText(Path.Combine(_fs.Proc, "45", "cgroup"),
            $"12:pids:/user.slice\n11:memory:/docker/{id}\n1:name=systemd:/docker/{id}\n");

        Assert.Equal($"/docker/{id}", new ProcfsReader(_fs.Proc).ReadCgroupPath(45));
    }

    [Fact]
    public void ReadCgroupPath_V2Line_WinsAndMayContainColons()
    {
        _fs.Add(46, 1, "x", ["x"], "/x", cgroup: "/system.slice/containerd.service/kubepods-pod1.slice:cri-containerd:abc");

        Assert.Equal("/system.slice/containerd.service/kubepods-pod1.slice:cri-containerd:abc", new ProcfsReader(_fs.Proc).ReadCgroupPath(46));
    }

    [Fact]
    public void EnumeratePids_OnlyNumericDirectoriesAscending()
    {
        _fs.Add(300, 1, "a", ["a"], "/a");
        _fs.Add(20, 1, "b", ["b"], "/b");
        Directory.CreateDirectory(Path.Combine(_fs.Proc, "self"));
        Directory.CreateDirectory(Path.Combine(_fs.Proc, "sys"));
        File.WriteAllText(Path.Combine(_fs.Proc, "12"), "a file, not a process");

        Assert.Equal(new[] { 20, 300 }, new ProcfsReader(_fs.Proc).EnumeratePids());
    }
}
