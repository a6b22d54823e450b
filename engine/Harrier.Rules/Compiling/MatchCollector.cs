using Harrier.Events;
using NRules.Extensibility;
using NRules.RuleModel;

namespace Harrier.Rules.Compiling;

/// <summary>
/// Receives fired rules of one session (one evaluator). NRules runs rule actions through the session's action
/// interceptor; this collector is that interceptor and records (rule index, event) without running anything else.
/// Not thread-safe (one per session).
/// </summary>
internal sealed class MatchCollector : IActionInterceptor
{
    public List<(int Rule, HarrierEvent Event)> Hits { get; } = new();

    /// <summary>The action body of every Harrier rule: does nothing by itself (the interceptor records).</summary>
    public static void Record(IContext ctx, int ruleIndex, HarrierEvent e)
    {
    }

    public void Intercept(IContext context, IReadOnlyCollection<IActionInvocation> actions)
    {
        foreach (var a in actions)
        {
            var args = a.Arguments;
            HarrierEvent? ev = null;
            int idx = -1;
            foreach (var x in args)
            {
                if (x is HarrierEvent he) ev = he;
                else if (x is int i) idx = i;
            }

            if (ev is null || idx < 0)
            {
                // Arguments carry only the facts: fall back to the rule name and the match.
                idx = ParseIndex(context.Rule.Name);
                ev = context.Match.Facts.Select(f => f.Value).OfType<HarrierEvent>().FirstOrDefault();
            }

            if (ev is not null && idx >= 0)
            {
                Hits.Add((idx, ev));
            }
        }
    }

    private static int ParseIndex(string name)
    {
        int hash = name.IndexOf('#', StringComparison.Ordinal);
        return hash > 0 && int.TryParse(name.AsSpan(0, hash), out int i) ? i : -1;
    }
}
