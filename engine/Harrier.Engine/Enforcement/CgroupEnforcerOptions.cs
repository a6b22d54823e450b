namespace Harrier.Engine.Enforcement;

/// <summary>
/// Options of <see cref="CgroupEnforcer"/> when it pins (config <c>Enforcement:Lsm:CgroupPinRoot</c>, beside the BPF
/// LSM pin root). Immutable; <see cref="Validate"/> reports every problem at once.
/// </summary>
public sealed record CgroupEnforcerOptions
{
    /// <summary>The default pin directory.</summary>
    public const string DefaultPinRoot = "/sys/fs/bpf/harrier/cgroup";

    /// <summary>The bpffs directory the cgroup links and the deny, decision and counter maps are pinned in, so policy outlives a restart.</summary>
    public string PinRoot { get; init; } = DefaultPinRoot;

    /// <summary>
    /// The cgroup pin directory that goes with a BPF LSM pin directory: <c>…/lsm</c> becomes <c>…/cgroup</c> (the
    /// defaults pair up), any other directory gets <c>-cgroup</c> appended.
    /// </summary>
    public static string PinRootBeside(string lsmPinRoot)
    {
        ArgumentNullException.ThrowIfNull(lsmPinRoot);
        string root = lsmPinRoot.TrimEnd('/');
        return root.EndsWith("/lsm", StringComparison.Ordinal) ? root[..^"lsm".Length] + "cgroup" : root + "-cgroup";
    }

    /// <summary>Every problem with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        PinDirectory.Validate("Enforcement:Lsm:CgroupPinRoot", PinRoot, DefaultPinRoot, errors);
        return errors;
    }
}
