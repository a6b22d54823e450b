namespace Harrier.Engine.Enforcement;

/// <summary>
/// Options of <see cref="LsmEnforcer"/> (config section <c>Enforcement:Lsm</c>). Immutable; <see cref="Validate"/>
/// reports every problem at once.
/// </summary>
public sealed record LsmEnforcerOptions
{
    /// <summary>The bpffs directory programs (links) and maps are pinned in, so policy outlives a restart.</summary>
    public string PinRoot { get; init; } = DefaultPinRoot;

    /// <summary>The default pin directory.</summary>
    public const string DefaultPinRoot = "/sys/fs/bpf/harrier/lsm";

    /// <summary>Deny signals and ptrace aimed at this process and other processes' access to Harrier's BPF objects.</summary>
    public bool SelfProtect { get; init; }

    /// <summary>
    /// Open (or create) the pinned maps only: no program is loaded or attached and link pins are left alone. For
    /// administering policy from a second process (CLI), and for tests on kernels without BPF LSM.
    /// </summary>
    public bool MapsOnly { get; init; }

    /// <summary>The embedded object's resource name (built by <c>make -C lsm-hooks</c>).</summary>
    public string ObjectResource { get; init; } = "lsm-hooks/harrier_lsm.bpf.o";

    /// <summary>An object file to load instead of the embedded resource (development).</summary>
    public string? ObjectPath { get; init; }

    /// <summary>Every problem with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        PinDirectory.Validate("Enforcement:Lsm:PinRoot", PinRoot, DefaultPinRoot, errors);
        if (string.IsNullOrWhiteSpace(ObjectResource) && string.IsNullOrWhiteSpace(ObjectPath))
        {
            errors.Add("Enforcement:Lsm: ObjectResource or ObjectPath is required");
        }
        if (ObjectPath is not null && !File.Exists(ObjectPath))
        {
            errors.Add($"Enforcement:Lsm:ObjectPath '{ObjectPath}' does not exist");
        }
        return errors;
    }
}
