using System.Buffers.Binary;
using System.Collections.Immutable;

namespace Harrier.Seccomp.Filters;

/// <summary>A compiled classic BPF seccomp program. Immutable and thread-safe.</summary>
public sealed class SeccompFilter
{
    internal SeccompFilter(ImmutableArray<SockFilter> instructions, bool usesNotify)
    {
        Instructions = instructions;
        UsesNotify = usesNotify;
    }

    public ImmutableArray<SockFilter> Instructions { get; }

    /// <summary>True when some path returns SECCOMP_RET_USER_NOTIF: install with SECCOMP_FILTER_FLAG_NEW_LISTENER.</summary>
    public bool UsesNotify { get; }

    /// <summary>The program as the kernel's <c>struct sock_filter[]</c>: 8 little-endian bytes per instruction.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Instructions.Length * 8];
        for (int i = 0; i < Instructions.Length; i++)
        {
            var span = bytes.AsSpan(i * 8, 8);
            var ins = Instructions[i];
            BinaryPrimitives.WriteUInt16LittleEndian(span, ins.Code);
            span[2] = ins.Jt;
            span[3] = ins.Jf;
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], ins.K);
        }

        return bytes;
    }

    /// <summary>A readable listing, one instruction a line (for <c>harrier seccomp compile</c> and debugging).</summary>
    public string Disassemble() =>
        string.Join('\n', Instructions.Select((ins, i) => $"{i,4}: {ins}"));
}
