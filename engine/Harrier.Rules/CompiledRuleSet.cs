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

    internal CompiledRuleSet(IReadOnlyList<CompiledRule> rules, ISessionFactory? factory, RuleMatchingMode matching, TimeSpan compileTime)
    {
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
    }

    /// <summary>Enabled rules in load order (<see cref="CompiledRule.Index"/> is the position in this list).</summary>
    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>The event types any rule can match: what the kernel needs to emit.</summary>
    public IReadOnlyCollection<EventType> InterestingTypes { get; }

    public RuleMatchingMode RuleMatching { get; }

    /// <summary>Time spent compiling conditions and building the NRules network.</summary>
    public TimeSpan CompileTime { get; }

    internal ISessionFactory? Factory { get; }

    internal bool IsInteresting(EventType t) => (uint)t < (uint)_interesting.Length && _interesting[(int)t];

    /// <summary>A new evaluator with its own NRules session. Throws if the set was loaded without the engine.</summary>
    public RuleEvaluator CreateEvaluator()
    {
        if (Factory is null)
        {
            throw new InvalidOperationException("this rule set was loaded with BuildEngine = false");
        }

        return new RuleEvaluator(this, Factory.CreateSession());
    }
}
