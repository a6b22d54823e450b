namespace Harrier.Rules.Diagnostics;

/// <summary>
/// Collects diagnostics of one load and attaches a snippet (the source line) from the files it has seen.
/// Not thread-safe: one per load.
/// </summary>
internal sealed class DiagnosticBag
{
    private const int MaxDiagnostics = 10_000;
    private readonly Dictionary<string, string[]> _lines = new(StringComparer.Ordinal);
    private readonly List<RuleDiagnostic> _errors = new();
    private readonly List<RuleDiagnostic> _warnings = new();
    private int _dropped;

    public IReadOnlyList<RuleDiagnostic> Errors => _errors;

    public IReadOnlyList<RuleDiagnostic> Warnings => _warnings;

    /// <summary>Diagnostics not stored because the cap was reached (reported as one extra warning at the end).</summary>
    public int Dropped => _dropped;

    public bool HasErrors => _errors.Count > 0;

    public void AddSource(string file, string text) => _lines[file] = text.Split('\n');

    public void Error(string code, SourceLocation at, string message, string? item = null, string? snippet = null)
        => Add(DiagnosticSeverity.Error, code, at, message, item, snippet);

    public void Warning(string code, SourceLocation at, string message, string? item = null, string? snippet = null)
        => Add(DiagnosticSeverity.Warning, code, at, message, item, snippet);

    private void Add(DiagnosticSeverity severity, string code, SourceLocation at, string message, string? item, string? snippet)
    {
        if (_errors.Count + _warnings.Count >= MaxDiagnostics)
        {
            _dropped++;
            return;
        }

        snippet ??= LineAt(at);
        var d = new RuleDiagnostic(severity, code, message, at, item, snippet);
        (severity == DiagnosticSeverity.Error ? _errors : _warnings).Add(d);
    }

    /// <summary>
    /// Maps an offset in a condition to file:line:col. <paramref name="start"/> is where the YAML scalar starts; the
    /// scalar may be plain, quoted or a block (<c>&gt;</c>/<c>|</c>), so the text around the offset is searched for in
    /// the source lines from there on. Falls back to <paramref name="start"/> when it cannot be found.
    /// </summary>
    public SourceLocation Locate(SourceLocation start, string condition, int pos)
    {
        if (start.Line <= 0 || !_lines.TryGetValue(start.File, out var lines) || pos < 0 || pos > condition.Length)
        {
            return start;
        }

        // A token-sized needle starting at the offset, cut at a blank (lines fold at blanks).
        int end = pos;
        while (end < condition.Length && end - pos < 24 && !char.IsWhiteSpace(condition[end])) end++;
        var needle = condition[pos..end];
        if (needle.Length == 0)
        {
            return start;
        }

        // Which occurrence of the needle in the condition is at pos (the same text may appear earlier).
        int occurrence = 0;
        for (int i = condition.IndexOf(needle, StringComparison.Ordinal); i >= 0 && i < pos; i = condition.IndexOf(needle, i + 1, StringComparison.Ordinal))
        {
            occurrence++;
        }

        for (int ln = start.Line - 1; ln < lines.Length && ln < start.Line - 1 + 400; ln++)
        {
            var line = lines[ln];
            int from = ln == start.Line - 1 ? Math.Max(0, start.Column - 1) : 0;
            for (int i = line.IndexOf(needle, from, StringComparison.Ordinal); i >= 0; i = line.IndexOf(needle, i + 1, StringComparison.Ordinal))
            {
                if (occurrence-- == 0)
                {
                    return new SourceLocation(start.File, ln + 1, i + 1);
                }
            }
        }

        return start;
    }

    private string? LineAt(SourceLocation at)
    {
        if (at.Line <= 0 || !_lines.TryGetValue(at.File, out var lines) || at.Line > lines.Length)
        {
            return null;
        }

        var line = lines[at.Line - 1].TrimEnd('\r');
        return line.Length > 200 ? line[..200] + "..." : line;
    }
}
