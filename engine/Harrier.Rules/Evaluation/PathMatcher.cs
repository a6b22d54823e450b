namespace Harrier.Rules.Evaluation;

/// <summary>
/// Falco's <c>pmatch</c>: true when the path equals one of the prefixes or lies below it, comparing whole path
/// components (<c>/usr/bin</c> matches <c>/usr/bin/ls</c> but not <c>/usr/binx</c>). Immutable; thread-safe.
/// </summary>
internal sealed class PathMatcher
{
    private readonly string[] _prefixes;

    public PathMatcher(IEnumerable<string> prefixes)
        => _prefixes = prefixes.Select(p => p.Length > 1 ? p.TrimEnd('/') : p).Distinct(StringComparer.Ordinal).ToArray();

    public bool IsMatch(string path)
    {
        foreach (var p in _prefixes)
        {
            if (p == "/")
            {
                if (path.StartsWith('/')) return true;
                continue;
            }

            if (path.StartsWith(p, StringComparison.Ordinal) && (path.Length == p.Length || path[p.Length] == '/'))
            {
                return true;
            }
        }

        return false;
    }
}
