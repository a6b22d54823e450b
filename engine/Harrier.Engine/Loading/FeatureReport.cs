using System.Text;
using System.Text.Json;

namespace Harrier.Engine.Loading;

/// <summary>What <c>harrier info</c> prints: the kernel, its BPF features as actually tested, and the
/// enforcement paths they leave. Immutable.</summary>
internal sealed record FeatureReport
{
    public required string KernelRelease { get; init; }

    public required bool Privileged { get; init; }

    public required bool BtfPresent { get; init; }

    public required bool BpffsMounted { get; init; }

    public required bool LibbpfAvailable { get; init; }

    /// <summary>tracepoint, raw_tp, tp_btf, fentry, lsm, cgroup_sock_addr: loaded (and attached) for real.</summary>
    public required IReadOnlyList<FeatureCheck> ProgramTypes { get; init; }

    /// <summary>The active LSMs (/sys/kernel/security/lsm), empty when unreadable.</summary>
    public required string LsmList { get; init; }

    public required bool BpfLsmActive { get; init; }

    public required bool SeccompUserNotif { get; init; }

    /// <summary>Enforcement mechanisms usable here: bpf-lsm, cgroup-sock-addr, seccomp-notify, signal-kill.</summary>
    public required IReadOnlyList<string> EnforcementPaths { get; init; }

    public bool Supports(string programType) => ProgramTypes.Any(p => p.Name == programType && p.Supported);

    public string ToText()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"kernel:        {KernelRelease}");
        sb.AppendLine($"privileged:    {YesNo(Privileged)}");
        sb.AppendLine($"btf:           {YesNo(BtfPresent)}");
        sb.AppendLine($"bpffs:         {YesNo(BpffsMounted)}");
        sb.AppendLine($"libbpf:        {YesNo(LibbpfAvailable)}");
        sb.AppendLine("program types:");
        foreach (var p in ProgramTypes)
        {
            sb.AppendLine($"  {p.Name,-18} {(p.Supported ? "yes" : "no")}{(p.Detail.Length > 0 ? "  (" + p.Detail + ")" : string.Empty)}");
        }

        sb.AppendLine($"lsm:           {(LsmList.Length > 0 ? LsmList : "(unreadable)")}");
        sb.AppendLine($"bpf lsm:       {YesNo(BpfLsmActive)}");
        sb.AppendLine($"seccomp notif: {YesNo(SeccompUserNotif)}");
        sb.AppendLine($"enforcement:   {(EnforcementPaths.Count > 0 ? string.Join(", ", EnforcementPaths) : "none (monitor only)")}");
        return sb.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["kernel"] = KernelRelease,
        ["privileged"] = Privileged,
        ["btf"] = BtfPresent,
        ["bpffs"] = BpffsMounted,
        ["libbpf"] = LibbpfAvailable,
        ["program_types"] = ProgramTypes.ToDictionary(p => p.Name, p => (object)new Dictionary<string, object> { ["supported"] = p.Supported, ["detail"] = p.Detail }),
        ["lsm"] = LsmList,
        ["bpf_lsm"] = BpfLsmActive,
        ["seccomp_user_notif"] = SeccompUserNotif,
        ["enforcement"] = EnforcementPaths,
    });

    private static string YesNo(bool b) => b ? "yes" : "no";
}
