using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Harrier.Events;
using Harrier.Rules.Conditions;
using Harrier.Rules.Correlation;
using Harrier.Rules.Diagnostics;
using Harrier.Rules.Output;
using Harrier.Rules.Reading;

namespace Harrier.Rules.Compiling;

/// <summary>
/// Compiles a rule's <c>sequence:</c>/<c>threshold:</c> block: each step condition as a rule condition (macros and
/// lists resolved, Falco semantics), the group key and distinct fields from the field registry, the output with
/// <c>%stepN.field</c> references checked. Problems are diagnostics; a field Harrier cannot supply skips the rule.
/// </summary>
internal static partial class CorrelationCompiler
{
    public static (CompiledRule Rule, CorrelationSpec Spec)? Compile(RuleItem rule, ConditionResolver resolver, ExpressionBuilder builder,
        DiagnosticBag diags, List<SkippedRule> skipped)
    {
        var c = rule.Correlation!;
        var steps = new List<Func<HarrierEvent, bool>>();
        var stepTypes = new List<IReadOnlyCollection<EventType>>();
        var union = new HashSet<EventType>();
        for (int i = 0; i < c.Steps.Count; i++)
        {
            var (text, at) = c.Steps[i];
            try
            {
                var resolved = resolver.ResolveRule(ConditionParser.Parse(text));
                var lambda = (Expression<Func<HarrierEvent, bool>>)builder.Build(resolved, typeof(HarrierEvent), null);
                steps.Add(lambda.Compile());
                var types = EventTypeInference.Infer(resolved);
                if (types.Count == 0)
                {
                    diags.Warning(DiagnosticCodes.NeverMatches, at, $"rule '{rule.Name}' step {i + 1} can never match: none of its event types is captured by Harrier", rule.Name);
                }

                stepTypes.Add(types.Count == EventTypeInference.AllTypes.Count ? Array.Empty<EventType>() : types.ToArray());
                union.UnionWith(types);
            }
            catch (ConditionSyntaxException ex)
            {
                diags.Error(DiagnosticCodes.ConditionSyntax, at, $"rule '{rule.Name}' step {i + 1}: {ex.Message}", rule.Name, ConditionResolver.Caret(text, ex.Position));
                return null;
            }
            catch (UnsupportedFieldException ex)
            {
                return Skip(rule, $"step {i + 1} uses field '{ex.Field}', which Harrier cannot supply ({ex.Reason})", at, diags, skipped);
            }
            catch (UnknownFieldException ex)
            {
                diags.Error(DiagnosticCodes.UnknownField, at, $"rule '{rule.Name}' step {i + 1}: {ex.Message}", rule.Name, ConditionResolver.Caret(text, ex.Position));
                return null;
            }
            catch (ConditionError ex)
            {
                diags.Error(ex.Code, at, $"rule '{rule.Name}' step {i + 1}: {ex.Message}", rule.Name, ConditionResolver.Caret(text, ex.Position));
                return null;
            }
        }

        var key = new List<(FieldInfo, string?)>();
        foreach (string f in c.By)
        {
            if (Field(rule, "by", f, c.Location, diags, skipped) is not { } k)
            {
                return null;
            }

            key.Add(k);
        }

        (FieldInfo, string?)? distinct = null;
        if (c.Distinct is not null)
        {
            if (Field(rule, "distinct", c.Distinct, c.Location, diags, skipped) is not { } d)
            {
                return null;
            }

            distinct = d;
        }

        string output = rule.Output ?? string.Empty;
        foreach (Match m in CorrelationOps.StepRef().Matches(output))
        {
            int n = int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            string field = m.Groups["field"].Value;
            if (n > c.Steps.Count && c.Kind == CorrelationKind.Sequence)
            {
                diags.Error(DiagnosticCodes.OutputField, rule.Present.GetValueOrDefault("output", rule.Location), $"rule '{rule.Name}': output references step {n} but the sequence has {c.Steps.Count} steps", rule.Name);
                return null;
            }

            if (!FieldRegistry.TryGet(FieldRegistry.Normalize(field, null).Name, out _))
            {
                diags.Warning(DiagnosticCodes.OutputField, rule.Present.GetValueOrDefault("output", rule.Location), $"rule '{rule.Name}': output field '{field}' of step {n} is unknown and prints <NA>", rule.Name);
            }
        }

        OutputFormat format;
        try
        {
            format = OutputFormat.Parse(CorrelationOps.StepRef().Replace(output, "x").Replace("%harrier.count", "0", StringComparison.Ordinal));
        }
        catch (FormatException ex)
        {
            diags.Error(DiagnosticCodes.OutputField, rule.Present.GetValueOrDefault("output", rule.Location), $"rule '{rule.Name}': invalid output: {ex.Message}", rule.Name);
            return null;
        }

        string description = c.Kind == CorrelationKind.Sequence
            ? $"sequence by {string.Join(", ", c.By)} within {c.Within}: " + string.Join(" -> ", c.Steps.Select(s => "(" + s.Condition.Trim() + ")"))
            : $"threshold by {string.Join(", ", c.By)} within {c.Within}: {c.Count}{(c.Distinct is null ? string.Empty : " distinct " + c.Distinct)} x ({c.Steps[0].Condition.Trim()})";
        var cr = new CompiledRule(format, static _ => false)
        {
            Name = rule.Name,
            Description = rule.Desc ?? string.Empty,
            Condition = description,
            Output = output,
            Priority = rule.Priority ?? Priority.Debug,
            Action = rule.Action ?? RuleAction.Alert,
            Tags = rule.Tags ?? new List<string>(),
            Source = rule.Source ?? "syscall",
            Enabled = rule.Enabled ?? true,
            EventTypes = union.OrderBy(t => t).ToArray(),
            Location = rule.Location,
        };
        var spec = new CorrelationSpec
        {
            Rule = cr,
            Kind = c.Kind,
            Steps = steps,
            StepTypes = stepTypes,
            Key = key,
            Window = c.Within,
            Count = c.Count,
            Distinct = distinct,
        };
        return (cr, spec);
    }

    private static (FieldInfo, string?)? Field(RuleItem rule, string what, string text, SourceLocation at, DiagnosticBag diags, List<SkippedRule> skipped)
    {
        string name = text;
        string? arg = null;
        int open = text.IndexOf('[', StringComparison.Ordinal);
        if (open > 0 && text.EndsWith(']'))
        {
            name = text[..open];
            arg = text[(open + 1)..^1];
        }

        (name, arg) = FieldRegistry.Normalize(name, arg);
        if (FieldRegistry.TryGet(name, out var f))
        {
            return (f, arg);
        }

        if (FieldRegistry.UnsupportedReason(name) is { } reason)
        {
            Skip(rule, $"'{what}' field '{text}' cannot be supplied by Harrier ({reason})", at, diags, skipped);
            return null;
        }

        diags.Error(DiagnosticCodes.InvalidCorrelation, at, $"rule '{rule.Name}': '{what}' names unknown field '{text}'", rule.Name);
        return null;
    }

    private static (CompiledRule, CorrelationSpec)? Skip(RuleItem rule, string reason, SourceLocation at, DiagnosticBag diags, List<SkippedRule> skipped)
    {
        diags.Warning(DiagnosticCodes.UnsupportedField, at, $"rule '{rule.Name}' skipped: {reason}", rule.Name);
        skipped.Add(new SkippedRule(rule.Name, reason, rule.Location));
        return null;
    }

}
