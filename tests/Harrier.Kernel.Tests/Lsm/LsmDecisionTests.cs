using System.Buffers.Binary;
using System.Text;
using Harrier.Engine.Enforcement;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Lsm;

public sealed class LsmDecisionTests
{
    // Builds a dec_record the way the BPF programs lay it out (probes/include/abi/decisions.h).
    private static byte[] Record(ushort hook = 6, byte action = 1, byte match = 3, string subject = "", ushort family = 2, ushort abi = 1, ushort op = 400)
    {
        var r = new byte[LsmDecision.RecordSize];
        BinaryPrimitives.WriteUInt16LittleEndian(r, op);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(4), LsmDecision.RecordSize);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(8), 123456789);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(16), 4242); // tgid
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(20), 4243); // tid
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(24), 1);    // ppid
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(28), 1000); // uid
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(32), 100);  // gid
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(36), uint.MaxValue);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(40), 77);   // cgroup
        Encoding.ASCII.GetBytes("curl").CopyTo(r, 56);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(72), 104);  // rule
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(76), hook);
        r[78] = action;
        r[79] = match;
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(80), -1);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(104), family);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(106), 8080);
        new byte[] { 10, 1, 2, 3 }.CopyTo(r, 112);
        var s = Encoding.UTF8.GetBytes(subject + "\0");
        if (subject.Length > 0)
        {
            s.CopyTo(r, 136);
            BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(128), (ushort)s.Length);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(130), abi);
        return r;
    }

    [Fact]
    public void TryDecode_ConnectRecord_DecodesEveryField()
    {
        Assert.True(LsmDecision.TryDecode(Record(), out var d));
        Assert.NotNull(d);
        Assert.Equal(123456789UL, d.KTimeNs);
        Assert.Equal(4242, d.Pid);
        Assert.Equal(4243, d.Tid);
        Assert.Equal(1000U, d.Uid);
        Assert.Equal(77UL, d.CgroupId);
        Assert.Equal("curl", d.Comm);
        Assert.Equal(104U, d.RuleId);
        Assert.Equal("socket_connect", d.Hook);
        Assert.Equal("denied", d.Action);
        Assert.Equal("net", d.Match);
        Assert.Equal(-1, d.Ret);
        Assert.Equal("10.1.2.3:8080", d.Address?.ToString());

        var ev = d.ToEvent("no-egress");
        Assert.Equal(EventType.LsmDecision, ev.Type);
        Assert.Equal(EventSource.Lsm, ev.Source);
        Assert.Equal("no-egress", ev.Policy);
        Assert.Equal("10.1.2.3:8080", ev.Subject);
        Assert.Equal("socket_connect", ev.Hook);
        Assert.Equal(-1, ev.Res);
    }

    [Fact]
    public void TryDecode_ExecRecordWithSubject_ReadsSubjectAndUnknownValuesStayVisible()
    {
        Assert.True(LsmDecision.TryDecode(Record(hook: 1, action: 2, match: 1, subject: "/tmp/evil", family: 0), out var d));
        Assert.Equal("bprm_check_security", d!.Hook);
        Assert.Equal("killed", d.Action);
        Assert.Equal("/tmp/evil", d.Subject);
        Assert.Null(d.Address);
        Assert.Equal("policy-104", d.ToEvent(null).Policy);

        Assert.True(LsmDecision.TryDecode(Record(hook: 99, action: 9, match: 9), out var odd));
        Assert.Equal("hook-99", odd!.Hook);
        Assert.Equal("action-9", odd.Action);
        Assert.Equal("match-9", odd.Match);
    }

    [Fact]
    public void TryDecode_MalformedRecords_ReturnFalse()
    {
        Assert.False(LsmDecision.TryDecode(Record().AsSpan(0, 100), out _));
        Assert.False(LsmDecision.TryDecode(Record(abi: 2), out _));
        Assert.False(LsmDecision.TryDecode(Record(op: 401), out _));
        Assert.False(LsmDecision.TryDecode(ReadOnlySpan<byte>.Empty, out _));
    }

    [Fact]
    public void TryDecode_SubjectLengthLies_StaysInsideTheRecord()
    {
        var r = Record(subject: "abc");
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(128), ushort.MaxValue);
        Assert.True(LsmDecision.TryDecode(r, out var d));
        Assert.Equal("abc", d!.Subject);
    }
}
