using System.Text.RegularExpressions;

namespace Harrier.Rules.Correlation;

/// <summary>Helpers called from the compiled NRules conditions of correlation rules. Pure and thread-safe.</summary>
public static partial class CorrelationOps
{
    /// <summary><c>%stepN.field[arg]</c> in a correlation rule's output (N from 1).</summary>
    [GeneratedRegex(@"%step(?<n>[1-9][0-9]?)\.(?<field>[a-zA-Z_][a-zA-Z0-9_.]*)(\[(?<arg>[^\]]*)\])?")]
    internal static partial Regex StepRef();

    /// <summary>True when <paramref name="group"/> holds at least <paramref name="count"/> facts, or, with
    /// <paramref name="distinct"/>, at least that many distinct values.</summary>
    public static bool Reached(IEnumerable<CorrelationFact> group, int count, bool distinct)
    {
        if (!distinct)
        {
            int n = 0;
            foreach (var _ in group)
            {
                if (++n >= count)
                {
                    return true;
                }
            }

            return false;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in group)
        {
            if (f.Distinct is not null && seen.Add(f.Distinct) && seen.Count >= count)
            {
                return true;
            }
        }

        return false;
    }
}
