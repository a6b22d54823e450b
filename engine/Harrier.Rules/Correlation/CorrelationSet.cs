using NRules;

namespace Harrier.Rules.Correlation;

/// <summary>
/// The compiled correlation rules of a rule set: their specs and one NRules session factory holding every
/// sequence join and threshold aggregate. Immutable and thread-safe; each pipeline thread creates its own
/// <see cref="CorrelationEvaluator"/>.
/// </summary>
public sealed class CorrelationSet
{
    private readonly ISessionFactory? _factory;

    internal CorrelationSet(IReadOnlyList<CorrelationSpec> specs)
    {
        Specs = specs;
        if (specs.Count > 0)
        {
            // Windows are compared in TimeSpan ticks (100 ns) since the evaluator started, whatever the clock.
            var defs = specs.Select((s, i) => CorrelationModelBuilder.Build(i, s, s.Window.Ticks));
            _factory = new RuleCompiler().Compile(defs);
        }
    }

    /// <summary>An empty set (no correlation rules).</summary>
    public static CorrelationSet Empty { get; } = new([]);

    internal IReadOnlyList<CorrelationSpec> Specs { get; }

    /// <summary>Names of the correlation rules, in load order.</summary>
    public IReadOnlyList<string> RuleNames => Specs.Select(s => s.Rule.Name).ToArray();

    public int Count => Specs.Count;

    /// <summary>The state bound each evaluator gets by default (RuleLoadOptions.CorrelationMaxFacts).</summary>
    public int MaxFacts { get; init; } = 100_000;

    /// <summary>A new evaluator with its own session and state, bounded to <paramref name="maxFacts"/> step facts.</summary>
    /// <param name="time">The clock windows are measured with (tests pass a FakeTimeProvider).</param>
    public CorrelationEvaluator CreateEvaluator(TimeProvider? time = null, int? maxFacts = null)
    {
        time ??= TimeProvider.System;
        return new CorrelationEvaluator(this, _factory?.CreateSession(), time, maxFacts ?? MaxFacts);
    }
}
