using System.Text.RegularExpressions;
using Harrier.Rules.Fields;

namespace Harrier.Rules.Evaluation;

/// <summary>
/// The comparison primitives compiled conditions call. Every check on a missing value (null) is false — also
/// <c>!=</c> — as in Falco. Static, allocation-free, thread-safe.
/// </summary>
internal static class Ops
{
    // strings
    public static bool StrEq(string? v, string c) => v is not null && string.Equals(v, c, StringComparison.Ordinal);

    public static bool StrNe(string? v, string c) => v is not null && !string.Equals(v, c, StringComparison.Ordinal);

    public static bool Contains(string? v, string c) => v is not null && v.Contains(c, StringComparison.Ordinal);

    public static bool IContains(string? v, string c) => v is not null && v.Contains(c, StringComparison.OrdinalIgnoreCase);

    public static bool StartsWith(string? v, string c) => v is not null && v.StartsWith(c, StringComparison.Ordinal);

    public static bool EndsWith(string? v, string c) => v is not null && v.EndsWith(c, StringComparison.Ordinal);

    public static bool Glob(string? v, GlobMatcher g) => v is not null && g.IsMatch(v);

    public static bool Regex(string? v, Regex r) => v is not null && r.IsMatch(v);

    public static bool In(string? v, HashSet<string> set) => v is not null && set.Contains(v);

    public static bool PMatch(string? v, PathMatcher m) => v is not null && m.IsMatch(v);

    public static bool StrExists(string? v) => v is not null;

    // string vs string (val(), transformers on the right)
    public static bool StrCmp(string? a, string? b, int op)
    {
        if (a is null || b is null)
        {
            return false;
        }

        return op switch
        {
            0 => string.Equals(a, b, StringComparison.Ordinal),
            1 => !string.Equals(a, b, StringComparison.Ordinal),
            2 => a.Contains(b, StringComparison.Ordinal),
            3 => a.Contains(b, StringComparison.OrdinalIgnoreCase),
            4 => a.StartsWith(b, StringComparison.Ordinal),
            5 => a.EndsWith(b, StringComparison.Ordinal),
            6 => string.CompareOrdinal(a, b) < 0,
            7 => string.CompareOrdinal(a, b) <= 0,
            8 => string.CompareOrdinal(a, b) > 0,
            9 => string.CompareOrdinal(a, b) >= 0,
            _ => false,
        };
    }

    // numbers
    public static bool NumCmp(long? a, long? b, int op)
    {
        if (a is not { } x || b is not { } y)
        {
            return false;
        }

        return op switch
        {
            0 => x == y,
            1 => x != y,
            6 => x < y,
            7 => x <= y,
            8 => x > y,
            9 => x >= y,
            _ => false,
        };
    }

    public static bool NumEq(long? v, long c) => v is { } x && x == c;

    public static bool NumNe(long? v, long c) => v is { } x && x != c;

    public static bool NumLt(long? v, long c) => v is { } x && x < c;

    public static bool NumLe(long? v, long c) => v is { } x && x <= c;

    public static bool NumGt(long? v, long c) => v is { } x && x > c;

    public static bool NumGe(long? v, long c) => v is { } x && x >= c;

    public static bool NumIn(long? v, HashSet<long> set) => v is { } x && set.Contains(x);

    public static bool NumExists(long? v) => v.HasValue;

    // bools
    public static bool BoolEq(bool? v, bool c) => v is { } x && x == c;

    public static bool BoolNe(bool? v, bool c) => v is { } x && x != c;

    public static bool BoolExists(bool? v) => v.HasValue;

    // addresses
    public static bool IpEq(IpValue? v, IpValue c) => v is { } x && x == c;

    public static bool IpNe(IpValue? v, IpValue c) => v is { } x && x != c;

    public static bool IpInNets(IpValue? v, IpNet[] nets)
    {
        if (v is not { } x)
        {
            return false;
        }

        foreach (var n in nets)
        {
            if (n.Contains(x))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IpNotInNets(IpValue? v, IpNet[] nets) => v is not null && !IpInNets(v, nets);

    public static bool IpExists(IpValue? v) => v.HasValue;

    // addresses against DNS names (fd.*ip.name)
    public static bool HostIn(IpValue? v, DnsNameCache dns, DnsName[] names)
    {
        if (v is not { } x)
        {
            return false;
        }

        foreach (var n in names)
        {
            if (dns.Matches(n, x))
            {
                return true;
            }
        }

        return false;
    }

    public static bool HostNotIn(IpValue? v, DnsNameCache dns, DnsName[] names) => v is not null && !HostIn(v, dns, names);

    public static bool HostKnown(IpValue? v, DnsNameCache dns) => dns.NameOf(v) is not null;

    // string lists (ancestor fields): true when the check holds for any element
    public static bool ListAny(IReadOnlyList<string>? v, Func<string?, bool> pred)
    {
        if (v is null)
        {
            return false;
        }

        for (int i = 0; i < v.Count; i++)
        {
            if (pred(v[i]))
            {
                return true;
            }
        }

        return false;
    }

    public static bool ListExists(IReadOnlyList<string>? v) => v is not null;

    /// <summary>Set semantics (<c>getopt</c> results): every element is in the set (an empty list is a subset).</summary>
    public static bool ListAllIn(IReadOnlyList<string>? v, HashSet<string> set)
    {
        if (v is null)
        {
            return false;
        }

        for (int i = 0; i < v.Count; i++)
        {
            if (!set.Contains(v[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>getopt(args, "optstring")</c>: the option letters present in a space-separated argument string, parsed like
    /// POSIX getopt(3) with GNU argument permutation: clustered flags (<c>-nt</c>), an option followed by <c>:</c> in the
    /// optstring takes an argument (attached, <c>-t5</c>, or the next word), <c>--</c> ends options, long options and
    /// letters not in the optstring are ignored. Null when the arguments are missing.
    /// </summary>
    public static IReadOnlyList<string>? GetOpt(string? args, string optstring)
    {
        if (args is null)
        {
            return null;
        }

        var found = new List<string>();
        var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int w = 0; w < words.Length; w++)
        {
            var word = words[w];
            if (word == "--")
            {
                break;
            }

            if (word.Length < 2 || word[0] != '-' || word[1] == '-')
            {
                continue; // operand or long option
            }

            for (int k = 1; k < word.Length; k++)
            {
                int at = optstring.IndexOf(word[k], StringComparison.Ordinal);
                if (at < 0 || word[k] == ':')
                {
                    continue;
                }

                found.Add(word[k].ToString());
                if (at + 1 < optstring.Length && optstring[at + 1] == ':')
                {
                    if (k == word.Length - 1)
                    {
                        w++; // the argument is the next word
                    }

                    break;
                }
            }
        }

        return found;
    }

    // transformers
    public static string? ToLower(string? v) => v?.ToLowerInvariant();

    public static string? ToUpper(string? v) => v?.ToUpperInvariant();

    public static string? Basename(string? v)
    {
        if (v is null)
        {
            return null;
        }

        int i = v.LastIndexOf('/');
        return i < 0 ? v : v[(i + 1)..];
    }

    public static string? B64(string? v)
    {
        if (v is null)
        {
            return null;
        }

        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(v));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static long? Len(string? v) => v?.Length;

    public static long? LenList(IReadOnlyList<string>? v) => v?.Count;

    public static string? Join(string sep, IReadOnlyList<string>? v) => v is null ? null : string.Join(sep, v);

    public static string? Concat(string?[] parts)
    {
        foreach (var p in parts)
        {
            if (p is null)
            {
                return null;
            }
        }

        return string.Concat(parts);
    }
}
