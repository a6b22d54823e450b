using Harrier.Engine.Enforcement;

namespace Harrier.Engine.Verdicts;

/// <summary>The <c>Enforcement:Lsm</c> section of <c>harrier run</c>: where BPF LSM pins live and whether Harrier protects
/// itself. Maps onto <see cref="LsmEnforcerOptions"/> (whose other members are for tools and tests).</summary>
internal sealed record LsmSectionOptions
{
    /// <summary>The bpffs directory the LSM programs (links) and policy maps are pinned in.</summary>
    public string PinRoot { get; init; } = "/sys/fs/bpf/harrier/lsm";

    /// <summary>Opt-in self-protection: deny signals and ptrace aimed at Harrier and other processes' bpf() access to its
    /// programs and maps; every attempt is an alert.</summary>
    public bool SelfProtect { get; init; }

    public LsmEnforcerOptions ToEnforcerOptions() => new() { PinRoot = PinRoot, SelfProtect = SelfProtect };

    public IReadOnlyList<string> Validate() => ToEnforcerOptions().Validate();
}
