using Harrier.Events;
using Harrier.Rules.Diagnostics;
using Harrier.Rules.Output;

namespace Harrier.Rules;

/// <summary>One rule as compiled: its metadata, expanded condition, event types and output. Immutable; thread-safe.</summary>
public sealed class CompiledRule
{
    private readonly Lazy<Func<HarrierEvent, bool>> _predicate;

    internal CompiledRule(OutputFormat output, System.Linq.Expressions.Expression<Func<HarrierEvent, bool>> condition)
    {
        Format = output;
        ConditionExpression = condition;
        _predicate = new Lazy<Func<HarrierEvent, bool>>(condition.Compile);
    }

    /// <summary>The whole condition as one expression over <see cref="HarrierEvent"/> (compiled lazily).</summary>
    internal System.Linq.Expressions.Expression<Func<HarrierEvent, bool>> ConditionExpression { get; }

    /// <summary>Position in load order (also the order used by <c>rule_matching: first</c>).</summary>
    public int Index { get; init; }

    public required string Name { get; init; }

    public string Description { get; init; } = string.Empty;

    /// <summary>The condition after list, macro and exception expansion (as text, before macro splicing).</summary>
    public required string Condition { get; init; }

    public required string Output { get; init; }

    public Priority Priority { get; init; }

    public RuleAction Action { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();

    public string Source { get; init; } = "syscall";

    public bool Enabled { get; init; } = true;

    /// <summary>The event types this rule can match (empty: never matches anything Harrier captures).</summary>
    public IReadOnlyCollection<EventType> EventTypes { get; init; } = Array.Empty<EventType>();

    public SourceLocation Location { get; init; }

    internal OutputFormat Format { get; }

    /// <summary>The condition as a plain delegate over any event (tests, <c>harrier events --filter</c>).</summary>
    internal Func<HarrierEvent, bool> Predicate => _predicate.Value;

    /// <summary>Per event class, the condition specialised to that class (fields of other classes folded away);
    /// used by the evaluator's pre-match stage.</summary>
    internal Dictionary<EventClass, Func<HarrierEvent, bool>> ClassPredicates { get; } = new();

    /// <summary>The resolved condition (macros spliced, lists expanded), for the pre-match index.</summary>
    internal Conditions.Node? Resolved { get; set; }

    /// <summary>A copy at another position in the rule set (correlation rules are listed after compilation).</summary>
    internal CompiledRule WithIndex(int index) => new(Format, ConditionExpression)
    {
        Index = index,
        Name = Name,
        Description = Description,
        Condition = Condition,
        Output = Output,
        Priority = Priority,
        Action = Action,
        Tags = Tags,
        Source = Source,
        Enabled = Enabled,
        EventTypes = EventTypes,
        Location = Location,
    };

    public override string ToString() => Name;
}
