using System.Net;
using System.Net.Sockets;
using Harrier.Engine.Abi;
using Harrier.Engine.Decoding;
using Harrier.Events;

namespace Harrier.Engine.Tests.Decoding;

public sealed class EventDecoderTests
{
    private const long Offset = 1_700_000_000_000_000_000;
    private readonly EventDecoder _decoder = new(new BootClock(Offset), maxArgs: 3);

    [Fact]
    public void Decode_OpenatSuccess_ResolvedPathFdFlagsAndContext()
    {
        var rec = new RecordBuilder((ushort)EventType.Openat, ret: 5)
            .Arg(0, -100).Arg(2, 0x80000).Arg(3, 0)
            .Str(0, "/etc//passwd").Str(1, "/etc/passwd").Build();
        var e = Assert.IsType<FileEvent>(_decoder.Decode(rec));
        Assert.Equal(EventType.Openat, e.Type);
        Assert.Equal("/etc/passwd", e.Path);
        Assert.Equal("/etc//passwd", e.RawPath);
        Assert.Equal(5, e.Fd);
        Assert.Equal(0x80000, e.Flags);
        Assert.Equal(-100, e.Dirfd);
        Assert.Equal(4242, e.Pid);
        Assert.Equal(4243, e.Tid);
        Assert.Equal(1, e.Ppid);
        Assert.Equal(1000u, e.Uid);
        Assert.Equal(1001u, e.Gid);
        Assert.Equal("bash", e.Comm);
        Assert.Equal(77UL, e.CgroupId);
        Assert.Equal(555UL, e.ProcStartNs);
        Assert.Equal(Offset + 1_000_000_000, e.TimestampNs);
        Assert.Equal(1, e.EventId);
    }

    [Fact]
    public void Decode_Close_FdFromTheArgumentAndNoNameYet()
    {
        var rec = new RecordBuilder((ushort)EventType.Close, ret: 0).Arg(0, 7).Build();
        var e = Assert.IsType<FileEvent>(_decoder.Decode(rec));
        Assert.Equal(EventType.Close, e.Type);
        Assert.Equal(7, e.Fd);
        Assert.Equal(0, e.Res);
        Assert.Null(e.Path); // the process table names it from the open that returned fd 7
        Assert.Null(e.RawPath);
    }

    [Fact]
    public void Decode_FailedRelativeOpen_JoinsBaseAndNormalisesDotDot()
    {
        var rec = new RecordBuilder((ushort)EventType.Openat, ret: -2)
            .Arg(0, -100).Str(0, "./a/../b/./c.txt").Str(2, "/home/u").Build();
        var e = Assert.IsType<FileEvent>(_decoder.Decode(rec));
        Assert.Equal("/home/u/b/c.txt", e.Path);
        Assert.Equal(-1, e.Fd);
        Assert.Equal(-2, e.Res);
    }

    [Fact]
    public void Decode_Rename_BothPathsResolved()
    {
        var rec = new RecordBuilder((ushort)EventType.Renameat2).Arg(0, 3).Arg(4, 1)
            .Str(0, "x").Str(2, "/d").Str(3, "../y").Str(4, "/d/e").Build();
        var e = Assert.IsType<FileEvent>(_decoder.Decode(rec));
        Assert.Equal("/d/x", e.Path);
        Assert.Equal("/d/y", e.NewPath);
        Assert.Equal("../y", e.NewRawPath);
        Assert.Equal(3, e.Dirfd);
        Assert.Equal(1, e.Flags);
    }

    [Fact]
    public void Decode_Exec_ArgvSplitAndCappedAtMaxArgs()
    {
        byte[] argv = "sh\0-c\0echo hi\0extra\0"u8.ToArray();
        var rec = new RecordBuilder((ushort)EventType.Execve).Str(0, "/bin/sh").Str(1, "/usr/bin/dash").Bytes(2, argv).Build();
        var e = Assert.IsType<ProcessEvent>(_decoder.Decode(rec));
        Assert.Equal("/bin/sh", e.Filename);
        Assert.Equal("/usr/bin/dash", e.ExePath);
        Assert.Equal(new[] { "sh", "-c", "echo hi" }, e.Argv);
        Assert.True(e.ArgvTruncated);
    }

    [Fact]
    public void Decode_Exec_CapabilitiesFromAuxOnlyWhenItSucceeded()
    {
        var ok = Assert.IsType<ProcessEvent>(_decoder.Decode(new RecordBuilder((ushort)EventType.Execve).Aux(2, 0x200000).Aux(3, 0x210000).Aux(4, 1).Build()));
        Assert.Equal(new Capabilities(0x200000, 0x210000, 1), ok.Caps);
        var failed = Assert.IsType<ProcessEvent>(_decoder.Decode(new RecordBuilder((ushort)EventType.Execve, ret: -2).Aux(1, 3).Build()));
        Assert.Null(failed.Caps);
    }

    [Theory]
    [InlineData(AbiConstants.FlagExeUpperLayer, OverlayLayer.Upper)]
    [InlineData(AbiConstants.FlagExeLowerLayer, OverlayLayer.Lower)]
    [InlineData(0, OverlayLayer.None)]
    public void Decode_Exec_OverlayLayerFromFlags(ushort flag, OverlayLayer expected)
    {
        var e = Assert.IsType<ProcessEvent>(_decoder.Decode(new RecordBuilder((ushort)EventType.Execve).Flags(flag).Build()));
        Assert.Equal(expected, e.ExeLayer);
    }

    [Fact]
    public void Decode_KernelArgvTruncationFlag_Reported()
    {
        var rec = new RecordBuilder((ushort)EventType.Execve).Flags(AbiConstants.FlagArgvTruncated).Bytes(2, "a\0b"u8.ToArray()).Build();
        var e = Assert.IsType<ProcessEvent>(_decoder.Decode(rec));
        Assert.Equal(new[] { "a", "b" }, e.Argv);
        Assert.True(e.ArgvTruncated);
        Assert.True(e.Truncated);
    }

    [Fact]
    public void Decode_ProcExit_CodeSignalCore()
    {
        var normal = Assert.IsType<ProcessEvent>(_decoder.Decode(new RecordBuilder((ushort)EventType.ProcExit).Aux(0, 42 << 8).Build()));
        Assert.Equal(42, normal.ExitCode);
        Assert.Equal(0, normal.ExitSignal);
        var killed = Assert.IsType<ProcessEvent>(_decoder.Decode(new RecordBuilder((ushort)EventType.ProcExit).Aux(0, 0x80 | 11).Build()));
        Assert.Equal(11, killed.ExitSignal);
        Assert.True(killed.CoreDumped);
    }

    [Fact]
    public void Decode_ConnectIpv4_UserDestinationAndKernelLocal()
    {
        byte[] sa = [2, 0, 0x01, 0xbb, 10, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0]; // AF_INET, port 443, 10.0.0.9
        var net = new EvtNetInfo { Family = 2, Type = 1, Protocol = 6 };
        net.Local.Family = 2;
        net.Local.Port = 40000;
        new byte[] { 10, 0, 0, 1 }.CopyTo((Span<byte>)net.Local.Addr);
        var rec = new RecordBuilder((ushort)EventType.Connect, ret: -115).Arg(0, 3).Flags(AbiConstants.FlagFdSocket).Net(net).Bytes(0, sa).Build();
        var e = Assert.IsType<NetworkEvent>(_decoder.Decode(rec));
        Assert.Equal(IPAddress.Parse("10.0.0.9"), e.Remote.ToIPAddress());
        Assert.Equal(443, e.Remote.Port);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), e.Local.ToIPAddress());
        Assert.Equal(40000, e.Local.Port);
        Assert.Equal(2, e.Domain);
        Assert.Equal(6, e.Protocol);
        Assert.Equal(3, e.Fd);
    }

    [Fact]
    public void Decode_ConnectIpv6AndUnix_Parsed()
    {
        byte[] sa6 = new byte[28];
        sa6[0] = 10;
        sa6[2] = 0;
        sa6[3] = 80;
        IPAddress.IPv6Loopback.GetAddressBytes().CopyTo(sa6, 8);
        var e6 = Assert.IsType<NetworkEvent>(_decoder.Decode(new RecordBuilder((ushort)EventType.Connect).Bytes(0, sa6).Build()));
        Assert.Equal(AddressFamily.InterNetworkV6, e6.Remote.Family);
        Assert.Equal(IPAddress.IPv6Loopback, e6.Remote.ToIPAddress());
        Assert.Equal(80, e6.Remote.Port);
        byte[] un = [1, 0, .. "/run/x.sock"u8.ToArray(), 0];
        var eu = Assert.IsType<NetworkEvent>(_decoder.Decode(new RecordBuilder((ushort)EventType.Connect).Bytes(0, un).Build()));
        Assert.Equal("/run/x.sock", eu.Remote.UnixPath);
    }

    [Fact]
    public void Decode_Dup2FromSocket_FlaggedWithInode()
    {
        var net = new EvtNetInfo { Ino = 1234, Family = 1 };
        var rec = new RecordBuilder((ushort)EventType.Dup2, ret: 1).Arg(0, 3).Arg(1, 1).Flags(AbiConstants.FlagFdSocket).Net(net).Build();
        var e = Assert.IsType<PrivilegeEvent>(_decoder.Decode(rec));
        Assert.True(e.FdIsSocket);
        Assert.Equal(1, e.FdSocketFamily);
        Assert.Equal("socket:[1234]", e.FdName); // not an IP socket: named by inode
        Assert.Equal(3, e.Target);
        Assert.Equal(1, e.Target2);
    }

    [Fact]
    public void Decode_Dup2FromTcpSocket_FalcoStyleTupleName()
    {
        var net = new EvtNetInfo { Family = 2, Ino = 9 };
        net.Local.Family = 2;
        net.Local.Port = 40000;
        new byte[] { 10, 0, 0, 1 }.CopyTo((Span<byte>)net.Local.Addr);
        net.Remote.Family = 2;
        net.Remote.Port = 4444;
        new byte[] { 10, 0, 0, 9 }.CopyTo((Span<byte>)net.Remote.Addr);
        var rec = new RecordBuilder((ushort)EventType.Dup2, ret: 0).Arg(0, 3).Arg(1, 0).Flags(AbiConstants.FlagFdSocket).Net(net).Build();
        var e = Assert.IsType<PrivilegeEvent>(_decoder.Decode(rec));
        Assert.Equal("10.0.0.1:40000->10.0.0.9:4444", e.FdName);
        Assert.Equal(4444, e.FdRemote.Port);
        Assert.Equal(2, e.FdSocketFamily);
    }

    [Fact]
    public void Decode_Setresuid_UnchangedIdsAreMinusOne()
    {
        var rec = new RecordBuilder((ushort)EventType.Setresuid).Arg(0, 0xffffffff).Arg(1, 0).Arg(2, 0xffffffff).Build();
        var e = Assert.IsType<PrivilegeEvent>(_decoder.Decode(rec));
        Assert.Equal(-1, e.Id0);
        Assert.Equal(0, e.Id1);
        Assert.Equal(-1, e.Id2);
    }

    [Fact]
    public void Decode_ShortRecord_NullAndCountedMalformed()
    {
        Assert.Null(_decoder.Decode(new byte[10]));
        Assert.Equal(1, _decoder.Malformed);
    }

    [Fact]
    public void Decode_SlotOutOfBounds_NullAndCountedMalformed()
    {
        byte[] rec = new RecordBuilder((ushort)EventType.Openat).Str(0, "/x").Build();
        rec[204] = 200; // str_len[0] beyond the string area
        Assert.Null(_decoder.Decode(rec));
        Assert.Equal(1, _decoder.Malformed);
    }

    [Fact]
    public void Decode_OtherAbiVersion_NullAndCounted()
    {
        Assert.Null(_decoder.Decode(new RecordBuilder((ushort)EventType.Openat).Abi(99).Build()));
        Assert.Equal(1, _decoder.Malformed);
    }

    [Fact]
    public void Decode_UnknownOp_NullAndCounted()
    {
        Assert.Null(_decoder.Decode(new RecordBuilder(499).Build()));
        Assert.Equal(1, _decoder.UnknownOps);
    }

    [Fact]
    public void BeginBatch_InstancesReusedAndCommInterned()
    {
        byte[] rec = new RecordBuilder((ushort)EventType.Openat).Str(0, "/a").Build();
        var first = _decoder.Decode(rec)!;
        string comm = first.Comm;
        _decoder.BeginBatch();
        var second = _decoder.Decode(rec)!;
        Assert.Same(first, second);
        Assert.Same(comm, second.Comm);
        Assert.Equal(2, _decoder.ReceivedOf((int)EventType.Openat));
    }
}
