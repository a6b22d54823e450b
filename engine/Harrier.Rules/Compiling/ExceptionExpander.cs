using System.Text;
using Harrier.Rules.Reading;

namespace Harrier.Rules.Compiling;

/// <summary>
/// Expands a rule's <c>exceptions</c> into its condition exactly as Falco does: the condition is wrapped in
/// parentheses and each exception with values adds <c> and not (...)</c>. Single form:
/// <c>field comp (v1, v2)</c>; tuple form: <c>( f1 c1 v1 and f2 c2 v2) or (...)</c>. Values with spaces are quoted;
/// a list value, or a value for a list operator, is parenthesised.
/// </summary>
internal static class ExceptionExpander
{
    public static string Expand(string condition, IReadOnlyList<ExceptionSpec>? exceptions)
    {
        var sb = new StringBuilder();
        sb.Append('(').Append(condition).Append(')');
        if (exceptions is null)
        {
            return sb.ToString();
        }

        foreach (var ex in exceptions)
        {
            string icond;
            if (!ex.FieldsIsList)
            {
                if (ex.Fields.Count == 0 || ex.Values.Count == 0)
                {
                    continue;
                }

                var parts = ex.Values.Where(v => !v.IsList).Select(v => Quote(v.Item!));
                icond = "(" + ex.Fields[0] + " " + ex.Comps[0] + " (" + string.Join(", ", parts) + "))";
            }
            else
            {
                var alts = new List<string>();
                foreach (var tuple in ex.Values)
                {
                    if (!tuple.IsList || tuple.Items!.Count != ex.Fields.Count)
                    {
                        continue;
                    }

                    var t = new StringBuilder("(");
                    for (int k = 0; k < ex.Fields.Count; k++)
                    {
                        if (k > 0)
                        {
                            t.Append(" and");
                        }

                        var item = tuple.Items[k];
                        string value;
                        if (item.IsList)
                        {
                            value = "(" + string.Join(", ", item.Items!.Select(i => Quote(i.Item ?? string.Empty))) + ")";
                        }
                        else if (Conditions.Operators.IsListOperator(ex.Comps[k].Trim()))
                        {
                            value = Paren(item.Item!);
                        }
                        else
                        {
                            value = Quote(item.Item!);
                        }

                        t.Append(' ').Append(ex.Fields[k]).Append(' ').Append(ex.Comps[k]).Append(' ').Append(value);
                    }

                    t.Append(')');
                    alts.Add(t.ToString());
                }

                if (alts.Count == 0)
                {
                    continue;
                }

                icond = "(" + string.Join(" or ", alts) + ")";
            }

            sb.Append(" and not ").Append(icond);
        }

        return sb.ToString();
    }

    /// <summary>Quotes a value containing blanks unless it is already quoted.</summary>
    internal static string Quote(string v)
    {
        if (v.Length > 0 && (v[0] == '"' || v[0] == '\''))
        {
            return v;
        }

        if (v.Contains(' ', StringComparison.Ordinal))
        {
            return "\"" + v + "\"";
        }

        return v;
    }

    private static string Paren(string v) => v.StartsWith('(') ? v : "(" + v + ")";
}
