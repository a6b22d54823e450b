using NRules.Extensibility;
using NRules.RuleModel;

namespace Harrier.Rules.Correlation;

/// <summary>
/// Intercepts the actions of correlation rules and keeps, per firing, the rule id and the matched facts: the steps
/// in order for a sequence, the collected group for a threshold. Used on the evaluator's thread only.
/// </summary>
internal sealed class CorrelationCollector : IActionInterceptor
{
    public List<(int RuleId, IReadOnlyList<CorrelationFact> Facts)> Fired { get; } = new();

    /// <summary>The no-op target of the rule action (the interceptor does the work).</summary>
    public static void Record(IContext ctx, int ruleId)
    {
    }

    public void Intercept(IContext context, IReadOnlyCollection<IActionInvocation> actions)
    {
        string name = context.Rule.Name;
        if (!name.StartsWith("corr#", StringComparison.Ordinal) || !int.TryParse(name.AsSpan(5), out int id))
        {
            return;
        }

        var facts = new List<CorrelationFact>();
        foreach (var m in context.Match.Facts)
        {
            switch (m.Value)
            {
                case CorrelationFact f when m.Declaration.Name.StartsWith('s'):
                    facts.Add(f);
                    break;
                case IEnumerable<CorrelationFact> group:
                    facts.AddRange(group.OrderBy(x => x.Seq));
                    break;
            }
        }

        facts.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        Fired.Add((id, facts));
    }
}
