namespace Harrier.Events;

/// <summary>
/// One alert, immutable once built. Carries what Falco's JSON output carries plus Harrier's verdict keys.
/// Safe to share across sinks and threads.
/// </summary>
public sealed record Alert
{
    /// <summary>De-duplication key for at-least-once delivery.</summary>
    public required Guid Uuid { get; init; }

    /// <summary>Event time, ns since the Unix epoch.</summary>
    public required long TimeNs { get; init; }

    public required string Rule { get; init; }

    public required Priority Priority { get; init; }

    /// <summary>Falco's source: <c>syscall</c>, or <c>internal</c> for Harrier's own health alerts.</summary>
    public string Source { get; init; } = "syscall";

    public required string Hostname { get; init; }

    /// <summary>The rendered output line (Falco's <c>output</c>), without the time and priority prefix.</summary>
    public required string Output { get; init; }

    /// <summary>Keys exactly as written in the rule's output; values typed (string, long, ulong, bool) or null.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> OutputFields { get; init; } = Array.Empty<KeyValuePair<string, object?>>();

    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();

    /// <summary>What the rule asked for.</summary>
    public RuleAction Action { get; init; } = RuleAction.Alert;

    /// <summary>What was actually done: <c>none</c>, <c>denied</c>, <c>killed</c>, <c>would-deny</c>, <c>would-kill</c>...</summary>
    public string Enforced { get; init; } = "none";

    /// <summary>The engine's id of the event that fired the rule (0 for internal alerts).</summary>
    public long EventId { get; init; }

    /// <summary>For user-space kills: the time from the event's capture to the signal, in ns.</summary>
    public long? KillLatencyNs { get; init; }

    /// <summary>The process the alert is about, when known; mappings (ECS, OCSF) read it.</summary>
    public AlertProcess? Process { get; init; }
}
