using Harrier.Events;
using Harrier.Outputs;

namespace Harrier.Host.Metrics;

/// <summary>A point-in-time copy of every counter the metrics and health endpoints report.</summary>
internal sealed record EngineSnapshot
{
    public bool ProbesAttached { get; init; }

    public bool RulesLoaded { get; init; }

    public long EventsReceived { get; init; }

    public IReadOnlyDictionary<EventType, long> ReceivedPerType { get; init; } = new Dictionary<EventType, long>();

    public IReadOnlyDictionary<EventType, ulong> KernelLostPerType { get; init; } = new Dictionary<EventType, ulong>();

    public long UserLost { get; init; }

    /// <summary>Times the consumer left records in the ring because the decoder was behind.</summary>
    public long DecoderBackPressure { get; init; }

    public long DecodeErrors { get; init; }

    /// <summary>Kernel-side helper failures and sheds by kind (<c>shed</c>, <c>read_user</c>, ...).</summary>
    public IReadOnlyDictionary<string, ulong> KernelErrors { get; init; } = new Dictionary<string, ulong>();

    public long RingBufferBytes { get; init; }

    public long RingBufferPending { get; init; }

    public IReadOnlyDictionary<string, long> MatchesPerRule { get; init; } = new Dictionary<string, long>();

    public IReadOnlyList<SinkStats> Sinks { get; init; } = Array.Empty<SinkStats>();

    public int ProcessTableSize { get; init; }

    public long ProcessTableEvictions { get; init; }

    /// <summary>fds whose name the process table did not keep (a process past 1024 remembered fds).</summary>
    public long FdNameOverflows { get; init; }

    /// <summary>Containers whose runtime state files were read, and attempts that found none readable.</summary>
    public long ContainerMetadataRead { get; init; }

    public long ContainerMetadataMissing { get; init; }

    /// <summary>DNS names that <c>fd.*ip.name</c> checks compare addresses against.</summary>
    public int DnsNames { get; init; }

    /// <summary>Lookups of those names finished, and those that failed (no resolver, timeout).</summary>
    public long DnsLookups { get; init; }

    public long DnsLookupFailures { get; init; }

    public int Rules { get; init; }

    public double RulesLoadSeconds { get; init; }

    public long RulesLoadedUnixSeconds { get; init; }

    public long ReloadFailures { get; init; }

    public long Reloads { get; init; }

    public IReadOnlyDictionary<string, long> VerdictsEnforced { get; init; } = new Dictionary<string, long>();

    /// <summary>When the last event arrived (monotonic, from the engine's TimeProvider), null when none yet.</summary>
    public long? LastEventTimestamp { get; init; }
}
