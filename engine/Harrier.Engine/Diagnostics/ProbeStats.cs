using Harrier.Events;

namespace Harrier.Engine.Diagnostics;

/// <summary>
/// A snapshot of the observation path's counters. Kernel-lost events never reached the ring buffer (it was
/// full); user-lost ones were taken from the ring but dropped because the decoder fell behind.
/// </summary>
internal sealed record ProbeStats
{
    /// <summary>Records taken from the ring buffer.</summary>
    public long Received { get; init; }

    /// <summary>Records decoded into events, per type (types with 0 omitted).</summary>
    public IReadOnlyDictionary<EventType, long> ReceivedPerType { get; init; } = new Dictionary<EventType, long>();

    /// <summary>Records lost in the kernel (ring full), per type.</summary>
    public IReadOnlyDictionary<EventType, ulong> KernelLostPerType { get; init; } = new Dictionary<EventType, ulong>();

    public ulong KernelLost { get; init; }

    /// <summary>Records dropped in user space (channel to the decoder full).</summary>
    public long UserLost { get; init; }

    /// <summary>Records that failed to decode (malformed, ABI mismatch, unknown op).</summary>
    public long DecodeErrors { get; init; }

    /// <summary>Kernel helper failures by kind (probes/lib/maps.h enum err_kind).</summary>
    public IReadOnlyDictionary<string, ulong> HelperErrors { get; init; } = new Dictionary<string, ulong>();

    /// <summary>All losses together.</summary>
    public ulong TotalLost => KernelLost + (ulong)UserLost;
}
