using Harrier.Engine.Enforcement;

namespace Harrier.Engine.Verdicts;

/// <summary>The <c>Enforcement:Lsm</c> section of <c>harrier run</c>: where BPF LSM (and cgroup) pins live and whether Harrier protects
/// itself. Maps onto <see cref="LsmEnforcerOptions"/> (whose other members are for tools and tests).</summary>
internal sealed record LsmSectionOptions
{
    /// <summary>The bpffs directory the LSM programs (links) and policy maps are pinned in.</summary>
    public string PinRoot { get; init; } = LsmEnforcerOptions.DefaultPinRoot;

    /// <summary>Opt-in self-protection: deny signals and ptrace aimed at Harrier and other processes' bpf() access to its
    /// programs and maps; every attempt is an alert.</summary>
    public bool SelfProtect { get; init; }

    /// <summary>The bpffs directory the cgroup network programs (links) and deny maps are pinned in (hosts without BPF LSM).</summary>
    public string CgroupPinRoot { get; init; } = CgroupEnforcerOptions.DefaultPinRoot;

    public LsmEnforcerOptions ToEnforcerOptions() => new() { PinRoot = PinRoot, SelfProtect = SelfProtect };

    public CgroupEnforcerOptions ToCgroupOptions() => new() { PinRoot = CgroupPinRoot };

    public IReadOnlyList<string> Validate()
    {
        var errors = ToEnforcerOptions().Validate().Concat(ToCgroupOptions().Validate()).ToList();
        if (errors.Count == 0 && string.Equals(PinRoot.TrimEnd('/'), CgroupPinRoot.TrimEnd('/'), StringComparison.Ordinal))
        {
            errors.Add("Enforcement:Lsm:CgroupPinRoot must differ from Enforcement:Lsm:PinRoot");
        }

        return errors;
    }
}
