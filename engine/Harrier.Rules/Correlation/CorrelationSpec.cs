using Harrier.Events;

namespace Harrier.Rules.Correlation;

/// <summary>
/// A compiled correlation rule: the step predicates (one for a threshold), the key fields, the window and, for
/// thresholds, the count and the optional distinct field. <see cref="Rule"/> carries name, priority, output and tags.
/// </summary>
internal sealed record CorrelationSpec
{
    public required CompiledRule Rule { get; init; }

    public required CorrelationKind Kind { get; init; }

    /// <summary>Step conditions in order; a threshold has exactly one.</summary>
    public required IReadOnlyList<Func<HarrierEvent, bool>> Steps { get; init; }

    /// <summary>Event types each step can match (empty: any), so most events skip most steps cheaply.</summary>
    public IReadOnlyList<IReadOnlyCollection<EventType>> StepTypes { get; init; } = Array.Empty<IReadOnlyCollection<EventType>>();

    /// <summary>The group key: field names with optional argument (e.g. <c>proc.pid</c>, <c>container.id</c>).</summary>
    public required IReadOnlyList<(FieldInfo Field, string? Arg)> Key { get; init; }

    public required TimeSpan Window { get; init; }

    /// <summary>Threshold: matches needed.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Threshold: count distinct values of this field instead of matches.</summary>
    public (FieldInfo Field, string? Arg)? Distinct { get; init; }
}
