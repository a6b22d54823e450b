using System.Text;
using System.Text.Json;
using Harrier.Rules.Diagnostics;

namespace Harrier.Rules;

/// <summary>
/// The outcome of a load: every error and warning (each with file:line:col, code and snippet), the compiled rule
/// set when there were no errors, and the rules skipped with their reasons. Immutable.
/// </summary>
public sealed class RuleLoadResult
{
    internal RuleLoadResult(IReadOnlyList<RuleDiagnostic> errors, IReadOnlyList<RuleDiagnostic> warnings, CompiledRuleSet? ruleSet,
        IReadOnlyList<SkippedRule> skipped, IReadOnlyList<CompiledRule> disabled, IReadOnlyList<string> files)
    {
        Errors = errors;
        Warnings = warnings;
        RuleSet = errors.Count == 0 ? ruleSet : null;
        Skipped = skipped;
        Disabled = disabled;
        Files = files;
    }

    public bool Success => Errors.Count == 0 && RuleSet is not null;

    public IReadOnlyList<RuleDiagnostic> Errors { get; }

    public IReadOnlyList<RuleDiagnostic> Warnings { get; }

    public CompiledRuleSet? RuleSet { get; }

    /// <summary>Valid rules that were not compiled, with the reason (e.g. a field Harrier cannot supply).</summary>
    public IReadOnlyList<SkippedRule> Skipped { get; }

    /// <summary>Rules that compiled but are disabled (<c>enabled: false</c>) or below the minimum priority.</summary>
    public IReadOnlyList<CompiledRule> Disabled { get; }

    /// <summary>The rule files read, in load order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Human-readable report: one block per diagnostic, then a summary line.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        foreach (var d in Errors.Concat(Warnings))
        {
            sb.Append(d).Append('\n');
            if (d.Snippet is { Length: > 0 } snip)
            {
                foreach (var line in snip.Split('\n'))
                {
                    sb.Append("    ").Append(line).Append('\n');
                }
            }
        }

        foreach (var s in Skipped)
        {
            sb.Append($"skipped: {s.Name}: {s.Reason}\n");
        }

        var compiled = RuleSet?.Rules.Count ?? 0;
        sb.Append($"{Files.Count} file(s): {compiled} rule(s) compiled, {Disabled.Count} disabled, {Skipped.Count} skipped, {Errors.Count} error(s), {Warnings.Count} warning(s)\n");
        return sb.ToString();
    }

    /// <summary>JSON report: <c>{"success", "errors":[...], "warnings":[...], "skipped":[...], "compiled", ...}</c>.</summary>
    public string ToJson()
    {
        static object Diag(RuleDiagnostic d) => new Dictionary<string, object?>
        {
            ["code"] = d.Code,
            ["severity"] = d.Severity == DiagnosticSeverity.Error ? "error" : "warning",
            ["message"] = d.Message,
            ["file"] = d.Location.File,
            ["line"] = d.Location.Line,
            ["column"] = d.Location.Column,
            ["item"] = d.ItemName,
            ["snippet"] = d.Snippet,
        };

        var doc = new Dictionary<string, object?>
        {
            ["success"] = Success,
            ["files"] = Files,
            ["compiled"] = RuleSet?.Rules.Count ?? 0,
            ["disabled"] = Disabled.Count,
            ["skipped"] = Skipped.Select(s => new Dictionary<string, object?> { ["rule"] = s.Name, ["reason"] = s.Reason, ["file"] = s.Location.File, ["line"] = s.Location.Line }).ToList(),
            ["errors"] = Errors.Select(Diag).ToList(),
            ["warnings"] = Warnings.Select(Diag).ToList(),
            ["interesting_types"] = RuleSet?.InterestingTypes.Select(Events.EventTypes.Name).OrderBy(x => x, StringComparer.Ordinal).ToList(),
            ["compile_ms"] = RuleSet?.CompileTime.TotalMilliseconds,
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }
}
