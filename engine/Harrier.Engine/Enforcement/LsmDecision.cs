using System.Buffers.Binary;
using System.Net;
using System.Text;
using Harrier.Events;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// One decoded <c>struct dec_record</c> (<c>probes/include/abi/decisions.h</c>): what an LSM hook decided and
/// for whom. Immutable; decoding is bounds-checked and never throws on malformed input (it returns false).
/// </summary>
public sealed record LsmDecision
{
    /// <summary>sizeof(struct dec_record).</summary>
    public const int RecordSize = 392;

    /// <summary>DEC_ABI_VERSION this decoder understands.</summary>
    public const ushort AbiVersion = 1;

    private const int SubjectOffset = 136;
    private const int SubjectMax = 256;

    public ulong KTimeNs { get; init; }
    public int Pid { get; init; }
    public int Tid { get; init; }
    public int Ppid { get; init; }
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public uint LoginUid { get; init; }
    public ulong CgroupId { get; init; }
    public ulong ProcStartNs { get; init; }
    public string Comm { get; init; } = string.Empty;

    /// <summary>The policy's rule id; 0 for self-protection.</summary>
    public uint RuleId { get; init; }

    /// <summary>The LSM hook name, e.g. <c>bprm_check_security</c>.</summary>
    public string Hook { get; init; } = string.Empty;

    /// <summary><c>denied</c>, <c>killed</c>, <c>would-deny</c> or <c>would-kill</c>.</summary>
    public string Action { get; init; } = string.Empty;

    /// <summary>Which table matched: <c>inode</c>, <c>subtree</c>, <c>net</c>, <c>uid</c>, <c>cgroup</c>, <c>self</c>.</summary>
    public string Match { get; init; } = string.Empty;

    /// <summary>What the hook returned: 0 or -EPERM.</summary>
    public int Ret { get; init; }

    /// <summary>Target tgid (task_kill, ptrace), bpf command, or mount flags.</summary>
    public uint Target { get; init; }

    public ulong Ino { get; init; }

    /// <summary>Kernel-encoded device.</summary>
    public uint Dev { get; init; }

    /// <summary>Signal number (task_kill), ptrace mode, open flags (file_open), kernel_read_file id.</summary>
    public uint Aux { get; init; }

    /// <summary>connect/bind address, when the hook was a socket hook.</summary>
    public IPEndPoint? Address { get; init; }

    /// <summary>Exec filename, file name, mount source or pin path; empty when absent.</summary>
    public string Subject { get; init; } = string.Empty;

    private static readonly string[] Hooks =
    [
        "none", "bprm_check_security", "file_open", "inode_unlink", "inode_rmdir", "inode_rename", "socket_connect",
        "socket_bind", "task_kill", "ptrace_access_check", "bpf", "kernel_read_file", "kernel_load_data", "sb_mount", "inode_link",
    ];

    private static readonly string[] Actions = ["none", "denied", "killed", "would-deny", "would-kill"];
    private static readonly string[] Matches = ["none", "inode", "subtree", "net", "uid", "cgroup", "self"];

    /// <summary>Decodes one ring-buffer record. False (and null) when it is short, of another op or ABI version.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> r, out LsmDecision? decision)
    {
        decision = null;
        if (r.Length < RecordSize)
        {
            return false;
        }
        ushort op = BinaryPrimitives.ReadUInt16LittleEndian(r);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(r[4..]);
        ushort abi = BinaryPrimitives.ReadUInt16LittleEndian(r[130..]);
        if (op != (ushort)EventType.LsmDecision || size != RecordSize || abi != AbiVersion)
        {
            return false;
        }
        ushort hook = BinaryPrimitives.ReadUInt16LittleEndian(r[76..]);
        byte action = r[78];
        byte match = r[79];
        int subjectLen = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(r[128..]), (ushort)SubjectMax);
        var subject = r.Slice(SubjectOffset, subjectLen);
        int nul = subject.IndexOf((byte)0);
        if (nul >= 0)
        {
            subject = subject[..nul];
        }
        var comm = r.Slice(56, 16);
        int cnul = comm.IndexOf((byte)0);
        if (cnul >= 0)
        {
            comm = comm[..cnul];
        }

        IPEndPoint? ep = null;
        ushort family = BinaryPrimitives.ReadUInt16LittleEndian(r[104..]);
        ushort port = BinaryPrimitives.ReadUInt16LittleEndian(r[106..]);
        if (family == 2)
        {
            ep = new IPEndPoint(new IPAddress(r.Slice(112, 4)), port);
        }
        else if (family == 10)
        {
            ep = new IPEndPoint(new IPAddress(r.Slice(112, 16)), port);
        }

        decision = new LsmDecision
        {
            KTimeNs = BinaryPrimitives.ReadUInt64LittleEndian(r[8..]),
            Pid = (int)BinaryPrimitives.ReadUInt32LittleEndian(r[16..]),
            Tid = (int)BinaryPrimitives.ReadUInt32LittleEndian(r[20..]),
            Ppid = (int)BinaryPrimitives.ReadUInt32LittleEndian(r[24..]),
            Uid = BinaryPrimitives.ReadUInt32LittleEndian(r[28..]),
            Gid = BinaryPrimitives.ReadUInt32LittleEndian(r[32..]),
            LoginUid = BinaryPrimitives.ReadUInt32LittleEndian(r[36..]),
            CgroupId = BinaryPrimitives.ReadUInt64LittleEndian(r[40..]),
            ProcStartNs = BinaryPrimitives.ReadUInt64LittleEndian(r[48..]),
            Comm = Encoding.UTF8.GetString(comm),
            RuleId = BinaryPrimitives.ReadUInt32LittleEndian(r[72..]),
            Hook = hook < Hooks.Length ? Hooks[hook] : $"hook-{hook}",
            Action = action < Actions.Length ? Actions[action] : $"action-{action}",
            Match = match < Matches.Length ? Matches[match] : $"match-{match}",
            Ret = BinaryPrimitives.ReadInt32LittleEndian(r[80..]),
            Target = BinaryPrimitives.ReadUInt32LittleEndian(r[84..]),
            Ino = BinaryPrimitives.ReadUInt64LittleEndian(r[88..]),
            Dev = BinaryPrimitives.ReadUInt32LittleEndian(r[96..]),
            Aux = BinaryPrimitives.ReadUInt32LittleEndian(r[100..]),
            Address = ep,
            Subject = Encoding.UTF8.GetString(subject),
        };
        return true;
    }

    /// <summary>The pipeline's view: a <see cref="DecisionEvent"/> (type LsmDecision, source Lsm).</summary>
    public DecisionEvent ToEvent(string? ruleName)
    {
        var e = new DecisionEvent
        {
            Type = EventType.LsmDecision,
            Source = EventSource.Lsm,
            KTimeNs = KTimeNs,
            Res = Ret,
            Pid = Pid,
            Tid = Tid,
            Ppid = Ppid,
            Uid = Uid,
            Gid = Gid,
            LoginUid = LoginUid,
            Comm = Comm,
            CgroupId = CgroupId,
            ProcStartNs = ProcStartNs,
            Hook = Hook,
            Action = Action,
            Policy = ruleName ?? (RuleId == 0 ? "self-protection" : $"policy-{RuleId}"),
            Subject = Address is not null ? Address.ToString() : Subject.Length > 0 ? Subject : Target != 0 ? Target.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        };
        return e;
    }
}
