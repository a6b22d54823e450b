namespace Harrier.Interop.Bpf;

/// <summary>A kernel feature Harrier needs is missing (no BTF, program type not loadable, no bpffs...).</summary>
public sealed class BpfNotSupportedException : BpfException
{
    public BpfNotSupportedException(string feature, string remedy, int errno = 95)
        : base(feature, errno)
    {
        Feature = feature;
        Remedy = remedy;
    }

    public string Feature { get; }

    /// <summary>What the operator can do about it (one line).</summary>
    public string Remedy { get; }

    public override string Message => $"{Feature} is not available: {Remedy}";
}
