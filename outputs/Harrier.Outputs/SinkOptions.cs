using Harrier.Events;
using Harrier.Outputs.Formatting;

namespace Harrier.Outputs;

/// <summary>One entry of <c>Outputs:Sinks</c>. Common keys are properties; type-specific keys are in <see cref="Settings"/>.</summary>
public sealed record SinkOptions
{
    /// <summary>Unique; letters, digits, <c>-</c>, <c>_</c> (it names the sink's spool sub-directory).</summary>
    public required string Name { get; init; }

    /// <summary>Registered factory name: <c>console</c>, <c>file</c>, <c>kafka</c>...</summary>
    public required string Type { get; init; }

    public AlertFormat Format { get; init; } = AlertFormat.Falco;

    /// <summary>Dots and nesting become underscores (<c>output_fields_proc_name</c>) for SIEMs that dislike dotted keys.</summary>
    public bool FlatKeys { get; init; }

    /// <summary>Alerts less severe than this are not sent to the sink.</summary>
    public Priority MinimumPriority { get; init; } = Priority.Debug;

    /// <summary>Bound of the in-memory queue (sinks without spool). Full queue: the alert is dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    public int BatchSize { get; init; } = 512;

    /// <summary>Retries of a failed batch before its alerts are counted as failed (sinks without spool; spooled sinks retry until delivered).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Go through the on-disk spool; null = the sink type's default (Kafka: yes).</summary>
    public bool? Spool { get; init; }

    public RateLimitOptions? RateLimit { get; init; }

    /// <summary>Type-specific keys, paths relative to the sink (<c>Path</c>, <c>Properties:sasl.username</c>...).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A type-specific setting, or <paramref name="fallback"/>.</summary>
    public string? Get(string key, string? fallback = null)
        => Settings.TryGetValue(key, out string? v) && v is not null ? v : fallback;
}
