namespace Harrier.Engine.Loading;

/// <summary>
/// Options of the kernel observation path, bound from the <c>Probes</c> section of appsettings.json.
/// Immutable; check with <see cref="Validate"/> at start-up (every problem is reported at once).
/// </summary>
internal sealed record ProbeOptions
{
    /// <summary>Ring buffer size in bytes: a power of two, at least one page (4096), at most 1 GiB.</summary>
    public int RingBufferBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>The kernel wakes the consumer only once this many bytes are waiting (batched wake-ups);
    /// below that the consumer finds data at its next poll timeout. 0 wakes on every event.</summary>
    public int WakeupThresholdBytes { get; init; } = 1024 * 1024;

    /// <summary>Poll timeout of the consumer in ms (1-5): the upper bound of the delivery latency.</summary>
    public int PollTimeoutMs { get; init; } = 5;

    /// <summary>exec: argv entries kept (1-64).</summary>
    public int MaxArgs { get; init; } = 32;

    /// <summary>exec: argv bytes captured by the kernel (64-4096).</summary>
    public int MaxArgBytes { get; init; } = 4096;

    /// <summary>Records per batch handed from the consumer thread to the decoder (1-65536).</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Batches that may wait between consumer and decoder (1-4096); beyond that batches are dropped and counted.</summary>
    public int ChannelCapacity { get; init; } = 64;

    /// <summary>Ring fill (percent) past which the kernel sheds every event but exec, fork and exit, so the process
    /// table stays right under overload; 0 or 100 turns shedding off. Shed events count as lost (and as <c>shed</c>).</summary>
    public int ShedAtPercent { get; init; } = 75;

    /// <summary>CPU to pin the consumer thread to, or -1 for none.</summary>
    public int ConsumerCpu { get; init; } = -1;

    /// <summary>Every problem with these options, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RingBufferBytes < 4096 || RingBufferBytes > (1 << 30) || (RingBufferBytes & (RingBufferBytes - 1)) != 0)
        {
            errors.Add($"Probes:RingBufferBytes must be a power of two between 4096 and 1073741824 (got {RingBufferBytes})");
        }

        if (WakeupThresholdBytes < 0 || WakeupThresholdBytes >= RingBufferBytes)
        {
            errors.Add($"Probes:WakeupThresholdBytes must be >= 0 and smaller than RingBufferBytes (got {WakeupThresholdBytes})");
        }

        if (PollTimeoutMs is < 1 or > 5)
        {
            errors.Add($"Probes:PollTimeoutMs must be 1-5 (got {PollTimeoutMs})");
        }

        if (MaxArgs is < 1 or > 64)
        {
            errors.Add($"Probes:MaxArgs must be 1-64 (got {MaxArgs})");
        }

        if (MaxArgBytes is < 64 or > 4096)
        {
            errors.Add($"Probes:MaxArgBytes must be 64-4096 (got {MaxArgBytes})");
        }

        if (BatchSize is < 1 or > 65536)
        {
            errors.Add($"Probes:BatchSize must be 1-65536 (got {BatchSize})");
        }

        if (ChannelCapacity is < 1 or > 4096)
        {
            errors.Add($"Probes:ChannelCapacity must be 1-4096 (got {ChannelCapacity})");
        }

        if (ShedAtPercent is < 0 or > 100)
        {
            errors.Add($"Probes:ShedAtPercent must be 0-100 (got {ShedAtPercent})");
        }

        if (ConsumerCpu < -1 || ConsumerCpu >= Environment.ProcessorCount)
        {
            errors.Add($"Probes:ConsumerCpu must be -1 or a CPU number below {Environment.ProcessorCount} (got {ConsumerCpu})");
        }

        return errors;
    }
}
