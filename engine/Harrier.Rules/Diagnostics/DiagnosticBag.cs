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
