using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Harrier.Events;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// Decodes the <c>struct dec_record</c> (probes/include/abi/decisions.h) written by lsm-hooks/programs/cgroup_net.bpf.c
/// (hdr.op = EVT_CGROUP_DECISION) into a <see cref="DecisionEvent"/> with <see cref="EventSource.Cgroup"/>:
/// Hook <c>cgroup/connect4|6</c>, <c>cgroup/sendmsg4|6</c> (aux 1) or <c>cgroup/bind4|6</c>; Action
/// <c>denied</c> or <c>would-deny</c>; Subject <c>address:port</c>; Policy the rule id. Stateless; thread-safe.
/// </summary>
internal static class CgroupDecisionDecoder
{
    public const int RecordSize = 392;
    public const ushort AbiVersion = 1;
    private const ushort HookConnect = 6, HookBind = 7;

    /// <summary>False for short records, other ops or ABI versions (counted by the caller).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> r, long bootToWallOffsetNs, out DecisionEvent? ev)
    {
        ev = null;
        if (r.Length < RecordSize
            || BinaryPrimitives.ReadUInt16LittleEndian(r) != (ushort)EventType.CgroupDecision
            || BinaryPrimitives.ReadUInt32LittleEndian(r[4..]) != RecordSize
            || BinaryPrimitives.ReadUInt16LittleEndian(r[130..]) != AbiVersion)
        {
            return false;
        }

        ushort hook = BinaryPrimitives.ReadUInt16LittleEndian(r[76..]);
        ushort family = BinaryPrimitives.ReadUInt16LittleEndian(r[104..]);
        ushort port = BinaryPrimitives.ReadUInt16LittleEndian(r[106..]);
        var address = family == 2
            ? SockAddress.FromIP(new System.Net.IPAddress(r.Slice(112, 4)), port)
            : family == 10 ? SockAddress.FromIP(new System.Net.IPAddress(r.Slice(112, 16)), port) : default;
        uint via = BinaryPrimitives.ReadUInt32LittleEndian(r[100..]);
        string op = hook == HookBind ? "bind" : hook != HookConnect ? $"hook-{hook}" : via == 1 ? "sendmsg" : "connect";
        string suffix = address.Family == AddressFamily.InterNetworkV6 ? "6" : "4";
        var comm = r.Slice(56, 16);
        int nul = comm.IndexOf((byte)0);
        ulong ktime = BinaryPrimitives.ReadUInt64LittleEndian(r[8..]);
        ev = new DecisionEvent
        {
            Type = EventType.CgroupDecision,
            Source = EventSource.Cgroup,
            KTimeNs = ktime,
            TimestampNs = (long)ktime + bootToWallOffsetNs,
            Pid = (int)BinaryPrimitives.ReadUInt32LittleEndian(r[16..]),
            Tid = (int)BinaryPrimitives.ReadUInt32LittleEndian(r[20..]),
            Ppid = (int)BinaryPrimitives.ReadUInt32LittleEndian(r[24..]),
            Uid = BinaryPrimitives.ReadUInt32LittleEndian(r[28..]),
            Gid = BinaryPrimitives.ReadUInt32LittleEndian(r[32..]),
            LoginUid = BinaryPrimitives.ReadUInt32LittleEndian(r[36..]),
            CgroupId = BinaryPrimitives.ReadUInt64LittleEndian(r[40..]),
            ProcStartNs = BinaryPrimitives.ReadUInt64LittleEndian(r[48..]),
            Comm = Encoding.UTF8.GetString(nul >= 0 ? comm[..nul] : comm),
            Res = BinaryPrimitives.ReadInt32LittleEndian(r[80..]),
            Hook = "cgroup/" + op + suffix,
            Syscall = op,
            Action = r[78] switch { 1 => "denied", 3 => "would-deny", _ => $"action-{r[78]}" },
            Policy = "cgroup-" + BinaryPrimitives.ReadUInt32LittleEndian(r[72..]).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Subject = address.IsSet ? address.ToString() : null,
        };
        return true;
    }
}
