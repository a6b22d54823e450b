using Harrier.Events;
using Harrier.Rules;

namespace Harrier.Engine.Detection;

/// <summary>
/// Holds the active rule set and its evaluator and swaps them atomically on reload. <see cref="Swap"/> may be called
/// from any thread (it builds the new evaluator off the hot path); <see cref="Evaluate"/> runs on the one pipeline
/// thread and reads the current pair once per batch, so a batch is evaluated entirely by one rule set and no event
/// is lost or evaluated twice across a swap.
/// </summary>
internal sealed class DetectionStage
{
    private Active _active;

    public DetectionStage(CompiledRuleSet initial)
    {
        _active = new Active(initial, initial.CreateEvaluator());
    }

    /// <summary>The rule set in force.</summary>
    public CompiledRuleSet RuleSet => Volatile.Read(ref _active).Set;

    /// <summary>How many times a new rule set was put in force.</summary>
    public int Generation => Volatile.Read(ref _active).Generation;

    /// <summary>Puts <paramref name="next"/> in force from the next batch on.</summary>
    public void Swap(CompiledRuleSet next)
    {
        var evaluator = next.CreateEvaluator();
        var old = Volatile.Read(ref _active);
        Volatile.Write(ref _active, new Active(next, evaluator) { Generation = old.Generation + 1 });
    }

    /// <summary>Evaluates one batch; matches are appended to <paramref name="matches"/>.</summary>
    public void Evaluate(ReadOnlySpan<HarrierEvent> batch, List<RuleMatch> matches) =>
        Volatile.Read(ref _active).Evaluator.Evaluate(batch, matches);

    private sealed record Active(CompiledRuleSet Set, RuleEvaluator Evaluator)
    {
        public int Generation { get; init; }
    }
}
