using Harrier.Events;

namespace Harrier.Rules.Correlation;

/// <summary>
/// One step match kept as an NRules fact for the rule's window only: which rule and step matched, the group key,
/// when (the engine clock), the detached event (for output fields), and the distinct-field value for thresholds.
/// </summary>
public sealed class CorrelationFact
{
    public required int RuleId { get; init; }

    public required int Step { get; init; }

    public required string Key { get; init; }

    /// <summary>When the step matched: TimeSpan ticks (100 ns) since the evaluator started.</summary>
    public required long Time { get; init; }

    /// <summary>Insertion order, strictly increasing: orders steps that match in the same tick.</summary>
    public required long Seq { get; init; }

    public required HarrierEvent Event { get; init; }

    public string? Distinct { get; init; }
}
