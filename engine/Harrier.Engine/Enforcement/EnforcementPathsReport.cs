namespace Harrier.Engine.Enforcement;

/// <summary>What <see cref="EnforcementPaths.Probe"/> found. Immutable.</summary>
public sealed record EnforcementPathsReport
{
    public string KernelRelease { get; init; } = string.Empty;

    /// <summary>The active LSMs, in order (/sys/kernel/security/lsm).</summary>
    public IReadOnlyList<string> ActiveLsms { get; init; } = Array.Empty<string>();

    public bool BpfLsmCompiledIn { get; init; }

    /// <summary>BPF LSM is listed in /sys/kernel/security/lsm and (when known) its programs load.</summary>
    public bool BpfLsmActive { get; init; }

    /// <summary><c>bpf</c> is listed in /sys/kernel/security/lsm.</summary>
    public bool BpfLsmListed { get; init; }

    /// <summary>seccomp with SECCOMP_RET_USER_NOTIF.</summary>
    public bool SeccompUserNotif { get; init; }

    public bool CgroupV2 { get; init; }

    /// <summary>/sys/kernel/btf/vmlinux exists (CO-RE probes, bpf_send_signal from tracepoints).</summary>
    public bool KernelBtf { get; init; }

    /// <summary>The strongest mechanism per verdict kind.</summary>
    public IReadOnlyDictionary<EnforcementVerdict, EnforcementMechanism> Best { get; init; } = new Dictionary<EnforcementVerdict, EnforcementMechanism>();

    /// <summary>What to change to get BPF LSM (the <c>lsm=</c> boot parameter), or null when it is active.</summary>
    public string? LsmHint { get; init; }
}
