namespace Harrier.Rules.Diagnostics;

/// <summary>
/// One error or warning found while loading rules. Immutable. <see cref="Code"/> is stable (e.g. <c>HR1001</c>) so
/// tooling can match on it; <see cref="Snippet"/> is the offending source line when the file could be read.
/// </summary>
public sealed record RuleDiagnostic(
    DiagnosticSeverity Severity,
    string Code,
    string Message,
    SourceLocation Location,
    string? ItemName = null,
    string? Snippet = null)
{
    /// <summary><c>file:line:col: error HR1001: message (rule 'x')</c>.</summary>
    public override string ToString()
    {
        var sev = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var item = ItemName is null ? string.Empty : $" [{ItemName}]";
        return $"{Location}: {sev} {Code}: {Message}{item}";
    }
}
