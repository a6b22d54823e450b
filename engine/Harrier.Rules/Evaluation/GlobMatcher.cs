namespace Harrier.Rules.Evaluation;

/// <summary>
/// fnmatch(3)-style glob without FNM_PATHNAME (so <c>*</c> also matches <c>/</c>), as Falco's <c>glob</c>:
/// <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, <c>[!x]</c>, and <c>\</c> escapes. Linear-time star
/// backtracking (no exponential blow-up). Immutable; thread-safe.
/// </summary>
internal sealed class GlobMatcher
{
    private readonly string _pattern;
    private readonly bool _ignoreCase;

    public GlobMatcher(string pattern, bool ignoreCase)
    {
        _pattern = ignoreCase ? pattern.ToLowerInvariant() : pattern;
        _ignoreCase = ignoreCase;
    }

    public bool IsMatch(string text)
    {
        var p = _pattern;
        int ti = 0, pi = 0, starP = -1, starT = -1;
        while (ti < text.Length)
        {
            char c = _ignoreCase ? char.ToLowerInvariant(text[ti]) : text[ti];
            if (pi < p.Length)
            {
                char pc = p[pi];
                if (pc == '*')
                {
                    starP = pi++;
                    starT = ti;
                    continue;
                }

                if (pc == '?')
                {
                    pi++;
                    ti++;
                    continue;
                }

                if (pc == '[' && TryClass(p, pi, c, out bool inClass, out int next))
                {
                    if (inClass)
                    {
                        pi = next;
                        ti++;
                        continue;
                    }
                }
                else
                {
                    if (pc == '\\' && pi + 1 < p.Length)
                    {
                        pc = p[pi + 1];
                        if (pc == c)
                        {
                            pi += 2;
                            ti++;
                            continue;
                        }
                    }
                    else if (pc == c)
                    {
                        pi++;
                        ti++;
                        continue;
                    }
                }
            }

            if (starP < 0)
            {
                return false;
            }

            pi = starP + 1;
            ti = ++starT;
        }

        while (pi < p.Length && p[pi] == '*')
        {
            pi++;
        }

        return pi == p.Length;
    }

    private static bool TryClass(string p, int start, char c, out bool matched, out int next)
    {
        matched = false;
        next = start;
        int i = start + 1;
        bool negate = i < p.Length && (p[i] == '!' || p[i] == '^');
        if (negate)
        {
            i++;
        }

        int first = i;
        bool any = false;
        while (i < p.Length && (p[i] != ']' || i == first))
        {
            char lo = p[i];
            if (i + 2 < p.Length && p[i + 1] == '-' && p[i + 2] != ']')
            {
                if (c >= lo && c <= p[i + 2]) any = true;
                i += 3;
            }
            else
            {
                if (c == lo) any = true;
                i++;
            }
        }

        if (i >= p.Length)
        {
            return false; // no closing bracket: '[' is literal
        }

        matched = any != negate;
        next = i + 1;
        return true;
    }
}
