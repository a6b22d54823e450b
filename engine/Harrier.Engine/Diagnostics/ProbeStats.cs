using Harrier.Events;

namespace Harrier.Engine.Diagnostics;

/// <summary>
/// A snapshot of the observation path's counters. Kernel-lost events never reached the ring buffer (it was
/// full, or past the shed mark for their class); user-lost ones were taken from the ring but still waiting for the
/// decoder when Harrier stopped. A decoder that falls behind makes the consumer leave records in the ring
/// (<see cref="BackPressure"/>), so sustained overload shows up as kernel loss, by class.
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

    /// <summary>Records taken from the ring and never decoded (waiting for the decoder at shutdown).</summary>
    public long UserLost { get; init; }

    /// <summary>Times the consumer left a record in the ring because the decoder was behind.</summary>
    public long BackPressure { get; init; }

    /// <summary>Records that failed to decode (malformed, ABI mismatch, unknown op).</summary>
    public long DecodeErrors { get; init; }

    /// <summary>Kernel helper failures by kind (probes/lib/maps.h enum err_kind).</summary>
    public IReadOnlyDictionary<string, ulong> HelperErrors { get; init; } = new Dictionary<string, ulong>();

    /// <summary>All losses together.</summary>
    public ulong TotalLost => KernelLost + (ulong)UserLost;
}
