using System.Globalization;
using Harrier.Rules.Correlation;
using Harrier.Rules.Diagnostics;

namespace Harrier.Rules.Reading;

/// <summary>
/// Reads Harrier's correlation blocks:
/// <code>
/// sequence:                      threshold:
///   by: [proc.pid]                 by: [proc.pid]
///   within: 30s                    within: 10s
///   steps:                         condition: evt.type = openat and evt.res &lt; 0
///     - open_read and ...          count: 20
///     - evt.type = connect         distinct: fd.name     (optional)
/// </code>
/// Every problem is reported with its location; nothing throws.
/// </summary>
internal static class CorrelationItemReader
{
    public const int MaxSteps = 16;

    public static bool Read(RuleItem item, string key, RawValue v, DiagnosticBag diags)
    {
        if (v.Mapping is null)
        {
            diags.Error(DiagnosticCodes.WrongType, v.Location, $"'{key}' of rule '{item.Name}' must be a mapping (by, within, {(key == "sequence" ? "steps" : "condition, count")})", item.Name);
            return false;
        }

        if (item.Correlation is not null)
        {
            diags.Error(DiagnosticCodes.InvalidCorrelation, v.Location, $"rule '{item.Name}' has both 'sequence' and 'threshold'", item.Name);
            return false;
        }

        var kind = key == "sequence" ? CorrelationKind.Sequence : CorrelationKind.Threshold;
        var allowed = kind == CorrelationKind.Sequence
            ? new HashSet<string>(StringComparer.Ordinal) { "by", "within", "steps" }
            : new HashSet<string>(StringComparer.Ordinal) { "by", "within", "condition", "count", "distinct" };
        bool ok = true;
        var steps = new List<(string, SourceLocation)>();
        var by = new List<string>();
        TimeSpan? within = null;
        int count = 1;
        string? distinct = null;
        foreach (var (k, value) in v.Mapping)
        {
            string name = k.Scalar ?? string.Empty;
            if (!allowed.Contains(name))
            {
                diags.Error(DiagnosticCodes.InvalidCorrelation, k.Location, $"unknown key '{name}' in {key} of rule '{item.Name}' (expected: {string.Join(", ", allowed)})", item.Name);
                ok = false;
                continue;
            }

            switch (name)
            {
                case "by":
                    var fields = value.Sequence?.Select(x => x.Scalar).ToList() ?? (value.Scalar is { } one ? [one] : null);
                    if (fields is null || fields.Count == 0 || fields.Any(string.IsNullOrWhiteSpace))
                    {
                        diags.Error(DiagnosticCodes.InvalidCorrelation, value.Location, $"'by' of rule '{item.Name}' must name one or more fields", item.Name);
                        ok = false;
                    }
                    else
                    {
                        by.AddRange(fields!.Select(f => f!.Trim()));
                    }

                    break;
                case "within":
                    within = ParseDuration(value.Scalar);
                    if (within is null || within <= TimeSpan.Zero || within > TimeSpan.FromDays(1))
                    {
                        diags.Error(DiagnosticCodes.InvalidCorrelation, value.Location, $"'within' of rule '{item.Name}' must be a duration between 1ms and 24h such as 500ms, 30s, 5m (got '{value.Scalar}')", item.Name);
                        ok = false;
                    }

                    break;
                case "steps":
                    if (value.Sequence is null || value.Sequence.Count < 2 || value.Sequence.Count > MaxSteps)
                    {
                        diags.Error(DiagnosticCodes.InvalidCorrelation, value.Location, $"'steps' of rule '{item.Name}' must be a list of 2 to {MaxSteps} conditions", item.Name);
                        ok = false;
                        break;
                    }

                    foreach (var s in value.Sequence)
                    {
                        string? cond = s.Scalar ?? s.Mapping?.FirstOrDefault(m => m.Key.Scalar == "condition").Value?.Scalar;
                        if (string.IsNullOrWhiteSpace(cond))
                        {
                            diags.Error(DiagnosticCodes.InvalidCorrelation, s.Location, $"each step of rule '{item.Name}' must be a condition (a string, or a mapping with 'condition')", item.Name);
                            ok = false;
                            continue;
                        }

                        steps.Add((cond, s.Location));
                    }

                    break;
                case "condition":
                    if (string.IsNullOrWhiteSpace(value.Scalar))
                    {
                        diags.Error(DiagnosticCodes.InvalidCorrelation, value.Location, $"'condition' of the threshold of rule '{item.Name}' must be a condition string", item.Name);
                        ok = false;
                    }
                    else
                    {
                        steps.Add((value.Scalar, value.Location));
                    }

                    break;
                case "count":
                    if (!int.TryParse(value.Scalar, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > 100_000)
                    {
                        diags.Error(DiagnosticCodes.InvalidCorrelation, value.Location, $"'count' of rule '{item.Name}' must be a whole number from 1 to 100000 (got '{value.Scalar}')", item.Name);
                        ok = false;
                    }

                    break;
                case "distinct":
                    distinct = value.Scalar?.Trim();
                    if (string.IsNullOrEmpty(distinct))
                    {
                        diags.Error(DiagnosticCodes.InvalidCorrelation, value.Location, $"'distinct' of rule '{item.Name}' must name a field", item.Name);
                        ok = false;
                    }

                    break;
            }
        }

        foreach (var (req, present) in new[] { ("by", by.Count > 0), ("within", within is not null), (kind == CorrelationKind.Sequence ? "steps" : "condition", steps.Count > 0) })
        {
            if (!present && ok)
            {
                diags.Error(DiagnosticCodes.InvalidCorrelation, v.Location, $"{key} of rule '{item.Name}' has no '{req}'", item.Name);
                ok = false;
            }
        }

        if (!ok)
        {
            return false;
        }

        item.Correlation = new CorrelationItem
        {
            Kind = kind,
            Steps = steps,
            By = by,
            Within = within!.Value,
            Count = count,
            Distinct = distinct,
            Location = v.Location,
        };
        return true;
    }

    /// <summary>Parses <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c> or a bare number of seconds.</summary>
    internal static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        (string unit, double scale) = text.EndsWith("ms", StringComparison.Ordinal) ? ("ms", 0.001)
            : text.EndsWith('s') ? ("s", 1) : text.EndsWith('m') ? ("m", 60) : text.EndsWith('h') ? ("h", 3600) : (string.Empty, 1);
        string number = text[..^unit.Length];
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && double.IsFinite(n)
            ? TimeSpan.FromSeconds(n * scale)
            : null;
    }
}
