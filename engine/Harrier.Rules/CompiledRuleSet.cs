using Harrier.Events;
using NRules;

namespace Harrier.Rules;

/// <summary>
/// The compiled, enabled rules and the NRules session factory built from them. Immutable and thread-safe;
/// create one <see cref="RuleEvaluator"/> per worker thread.
/// </summary>
public sealed class CompiledRuleSet
{
    private readonly bool[] _interesting;

    private readonly Evaluation.PreMatcher?[] _candidates = new Evaluation.PreMatcher?[512];

    internal CompiledRuleSet(IReadOnlyList<CompiledRule> rules, ISessionFactory? factory, RuleMatchingMode matching, TimeSpan compileTime, bool preMatch = false)
    {
        PreMatch = preMatch;
        Rules = rules;
        Factory = factory;
        RuleMatching = matching;
        CompileTime = compileTime;
        _interesting = new bool[512];
        var set = new HashSet<EventType>();
        foreach (var r in rules)
        {
            foreach (var t in r.EventTypes)
            {
                set.Add(t);
                _interesting[(int)t] = true;
            }
        }

        InterestingTypes = set;
        if (preMatch)
        {
            foreach (var t in set)
            {
                var cls = EventTypes.ClassOf(t);
                _candidates[(int)t] = new Evaluation.PreMatcher(rules
                    .Where(r => r.EventTypes.Contains(t) && r.ClassPredicates.ContainsKey(cls) && r.Resolved is not null)
                    .Select(r => (r.Resolved!, r.ClassPredicates[cls]))
                    .ToList());
            }
        }
    }

    /// <summary>Whether events are pre-matched against the rules of their type before NRules (see <see cref="RuleLoadOptions.PreMatch"/>).</summary>
    public bool PreMatch { get; }

    /// <summary>True when some rule of the event's type matches it (pre-match stage), or when pre-matching is off.</summary>
    internal bool PreMatches(HarrierEvent e)
    {
        if (!PreMatch)
        {
            return true;
        }

        return _candidates[(int)e.Type] is { } m && m.AnyMatch(e);
    }

    /// <summary>Enabled rules in load order (<see cref="CompiledRule.Index"/> is the position in this list).</summary>
    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>The event types any rule can match: what the kernel needs to emit.</summary>
    public IReadOnlyCollection<EventType> InterestingTypes { get; }

    public RuleMatchingMode RuleMatching { get; }

    /// <summary>Time spent compiling conditions and building the NRules network.</summary>
    public TimeSpan CompileTime { get; }

    /// <summary>The part of <see cref="CompileTime"/> spent in NRules' compiler building the Rete network.</summary>
    public TimeSpan EngineBuildTime { get; init; }

    internal ISessionFactory? Factory { get; }

    /// <summary>The correlation rules (<c>sequence:</c>, <c>threshold:</c>), evaluated after the single-event rules.</summary>
    public Correlation.CorrelationSet Correlations { get; init; } = Correlation.CorrelationSet.Empty;

    internal bool IsInteresting(EventType t) => (uint)t < (uint)_interesting.Length && _interesting[(int)t];

    /// <summary>A new evaluator with its own NRules session. Throws if the set was loaded without the engine.</summary>
    public RuleEvaluator CreateEvaluator() => CreateEvaluator(null);

    /// <summary>A new evaluator whose correlation windows are measured with <paramref name="time"/> (tests: a fake clock).</summary>
    public RuleEvaluator CreateEvaluator(TimeProvider? time)
    {
        if (Factory is null)
        {
            throw new InvalidOperationException("this rule set was loaded with BuildEngine = false");
        }

        return new RuleEvaluator(this, Factory.CreateSession())
        {
            Correlation = Correlations.Count > 0 ? Correlations.CreateEvaluator(time) : null,
        };
    }
}
