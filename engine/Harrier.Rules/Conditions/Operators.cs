namespace Harrier.Rules.Conditions;

/// <summary>The comparison operators of Falco's filter language, and their classes.</summary>
internal static class Operators
{
    /// <summary>Numeric operators: the value must be a number.</summary>
    public static readonly string[] Numeric = { "<=", "<", ">=", ">" };

    /// <summary>String operators (word operators need a blank after them).</summary>
    public static readonly string[] String =
    {
        "==", "=", "!=", "glob", "iglob", "contains", "icontains", "bcontains", "startswith", "bstartswith", "endswith", "regex",
    };

    /// <summary>Operators whose right-hand side is a list.</summary>
    public static readonly string[] List = { "intersects", "in", "pmatch" };

    public static readonly string[] Unary = { "exists" };

    private static readonly HashSet<string> All = new(Numeric.Concat(String).Concat(List).Concat(Unary), StringComparer.Ordinal);

    public static bool IsOperator(string op) => All.Contains(op);

    public static bool IsListOperator(string op) => op is "in" or "intersects" or "pmatch";

    public static bool IsWord(string op) => char.IsLetter(op[0]);
}
