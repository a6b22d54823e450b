namespace Harrier.Engine.Enforcement;

/// <summary>Counters of the LSM programs (<c>lsm_stats</c>, summed over CPUs) plus the reader's own. Immutable snapshot.</summary>
/// <param name="Decisions">Records written to the ring buffer.</param>
/// <param name="Lost">Decisions taken whose record was dropped because the ring buffer was full.</param>
/// <param name="Denied">-EPERM returned for policy entries.</param>
/// <param name="Killed">SIGKILL sent (kill entries).</param>
/// <param name="WouldDeny">Monitor-mode matches.</param>
/// <param name="SelfProtection">Self-protection denials.</param>
/// <param name="Malformed">Records the reader could not decode (wrong size or ABI version).</param>
public sealed record LsmStats(ulong Decisions, ulong Lost, ulong Denied, ulong Killed, ulong WouldDeny, ulong SelfProtection, ulong Malformed);
