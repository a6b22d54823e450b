namespace Harrier.Seccomp.Filters;

/// <summary>One classic BPF instruction, laid out as the kernel's <c>struct sock_filter</c> (8 bytes, little-endian).</summary>
public readonly record struct SockFilter(ushort Code, byte Jt, byte Jf, uint K)
{
    /// <summary>BPF_LD | BPF_W | BPF_ABS: A = seccomp_data[K..K+4].</summary>
    public const ushort LdAbsW = 0x20;

    /// <summary>BPF_JMP | BPF_JA: pc += K.</summary>
    public const ushort Ja = 0x05;

    /// <summary>BPF_JMP | BPF_JEQ | BPF_K.</summary>
    public const ushort JeqK = 0x15;

    /// <summary>BPF_JMP | BPF_JGT | BPF_K.</summary>
    public const ushort JgtK = 0x25;

    /// <summary>BPF_JMP | BPF_JGE | BPF_K.</summary>
    public const ushort JgeK = 0x35;

    /// <summary>BPF_JMP | BPF_JSET | BPF_K.</summary>
    public const ushort JsetK = 0x45;

    /// <summary>BPF_RET | BPF_K: return K.</summary>
    public const ushort RetK = 0x06;

    public override string ToString() => Code switch
    {
        LdAbsW => $"ld [{K}]",
        Ja => $"ja +{K}",
        JeqK => $"jeq #0x{K:x}, +{Jt}, +{Jf}",
        JgtK => $"jgt #0x{K:x}, +{Jt}, +{Jf}",
        JgeK => $"jge #0x{K:x}, +{Jt}, +{Jf}",
        JsetK => $"jset #0x{K:x}, +{Jt}, +{Jf}",
        RetK => $"ret #0x{K:x8}",
        _ => $"op 0x{Code:x2} {Jt} {Jf} 0x{K:x}",
    };
}
