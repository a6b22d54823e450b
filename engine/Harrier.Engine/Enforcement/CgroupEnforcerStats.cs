namespace Harrier.Engine.Enforcement;

/// <summary>A snapshot of the cgroup programs' counters (summed over CPUs) and the user-space decode counters.</summary>
public sealed record CgroupEnforcerStats(ulong Checked, ulong Denied, ulong WouldDeny, ulong Lost, long Decoded, long Malformed);
