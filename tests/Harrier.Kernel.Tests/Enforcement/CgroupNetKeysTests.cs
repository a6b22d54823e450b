using System.Buffers.Binary;
using System.Net;
using Harrier.Engine.Enforcement;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>Byte layouts shared with lsm-hooks/include/cgroup_net_maps.h and abi/decisions.h (no kernel needed).</summary>
public class CgroupNetKeysTests
{
    [Fact]
    public void Key_Ipv4Cidr_LaysOutPrefixOpPortCgroupAddress()
    {
        var key = CgroupNetKeys.Key(new CgroupDenyRule { Operation = CgroupOperation.Bind, Network = IPNetwork.Parse("10.1.0.0/16"), Port = 8080, CgroupId = 0x1122334455667788 });
        Assert.Equal(20, key.Length);
        Assert.Equal(96u + 16, BinaryPrimitives.ReadUInt32LittleEndian(key));
        Assert.Equal(2, key[4]);
        Assert.Equal(0, key[5]);
        Assert.Equal(new byte[] { 0x1f, 0x90 }, key[6..8]);
        Assert.Equal(0x1122334455667788UL, BinaryPrimitives.ReadUInt64LittleEndian(key.AsSpan(8)));
        Assert.Equal(new byte[] { 10, 1, 0, 0 }, key[16..20]);
    }

    [Fact]
    public void Key_Ipv6AndEntry_Layouts()
    {
        var rule = new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("::1/128"), RuleId = 77, Monitor = true };
        var key = CgroupNetKeys.Key(rule);
        Assert.Equal(32, key.Length);
        Assert.Equal(96u + 128, BinaryPrimitives.ReadUInt32LittleEndian(key));
        Assert.Equal(1, key[31]);
        var entry = CgroupNetKeys.Entry(rule);
        Assert.Equal(77u, BinaryPrimitives.ReadUInt32LittleEndian(entry));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(4)));
    }

    [Fact]
    public void Decode_RecordOfOtherOpOrShort_IsRejected()
    {
        var r = Record(op: (ushort)EventType.LsmDecision);
        Assert.False(CgroupDecisionDecoder.TryDecode(r, 0, out _));
        Assert.False(CgroupDecisionDecoder.TryDecode(Record()[..100], 0, out _));
        Assert.True(CgroupDecisionDecoder.TryDecode(Record(), 0, out _));
    }

    [Fact]
    public void Decode_ConnectRecord_FillsDecisionEvent()
    {
        Assert.True(CgroupDecisionDecoder.TryDecode(Record(), 1_000, out var ev));
        Assert.Equal(EventType.CgroupDecision, ev!.Type);
        Assert.Equal(EventSource.Cgroup, ev.Source);
        Assert.Equal("cgroup/connect4", ev.Hook);
        Assert.Equal("connect", ev.Syscall);
        Assert.Equal("denied", ev.Action);
        Assert.Equal("cgroup-5", ev.Policy);
        Assert.Equal("127.0.0.2:9000", ev.Subject);
        Assert.Equal(4321, ev.Pid);
        Assert.Equal("curl", ev.Comm);
        Assert.Equal(99UL, ev.CgroupId);
        Assert.Equal(1_500, ev.TimestampNs);
        Assert.Equal(-1, ev.Res);
    }

    private static byte[] Record(ushort op = (ushort)EventType.CgroupDecision)
    {
        var r = new byte[CgroupDecisionDecoder.RecordSize];
        BinaryPrimitives.WriteUInt16LittleEndian(r, op);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(4), CgroupDecisionDecoder.RecordSize);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(8), 500);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(16), 4321);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(20), 4321);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(40), 99);
        "curl"u8.CopyTo(r.AsSpan(56));
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(72), 5);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(76), 6);
        r[78] = 1;
        r[79] = 3;
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(80), -1);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(104), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(106), 9000);
        new byte[] { 127, 0, 0, 2 }.CopyTo(r.AsSpan(112));
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(130), 1);
        return r;
    }
}
