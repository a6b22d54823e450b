using System.Diagnostics;
using System.Linq.Expressions;
using Harrier.Events;
using Harrier.Rules.Collecting;
using Harrier.Rules.Conditions;
using Harrier.Rules.Diagnostics;
using Harrier.Rules.Output;
using Harrier.Rules.Reading;
using NRules.RuleModel;

namespace Harrier.Rules.Compiling;

/// <summary>
/// Stage 3: compiles collected lists, macros and rules: exceptions expanded into the condition, the condition parsed,
/// lists and macros resolved, fields checked, event types inferred, and each enabled rule turned into NRules rule
/// models (one per event class it can match). Reports every problem to the bag and keeps going.
/// </summary>
internal static class RuleSetCompiler
{
    /// <summary>Above this many NRules rule models (with pre-match on), NRules conditions are interpreted, not compiled to IL.</summary>
    internal const int InterpretAbove = 200;

    public static CompiledRuleSet? Compile(RuleCollection c, RuleLoadOptions options, DiagnosticBag diags, List<SkippedRule> skipped, List<CompiledRule> disabled)
    {
        var sw = Stopwatch.StartNew();
        var resolver = new ConditionResolver(c, diags);
        resolver.ResolveAllMacros();
        var builder = new ExpressionBuilder(options.DnsNames);
        var compiled = new List<CompiledRule>();
        var definitions = new List<IRuleDefinition>();

        var correlations = new List<Correlation.CorrelationSpec>();
        foreach (var rule in c.Rules)
        {
            if (rule.Correlation is not null)
            {
                if (CorrelationCompiler.Compile(rule, resolver, builder, diags, skipped) is { } corr)
                {
                    if (!corr.Rule.Enabled || corr.Rule.Priority > options.MinimumPriority)
                    {
                        disabled.Add(corr.Rule);
                    }
                    else
                    {
                        // Listed with the other rules (rules list, event types) but evaluated by the correlation engine.
                        var listed = corr.Rule.WithIndex(compiled.Count);
                        compiled.Add(listed);
                        correlations.Add(corr.Spec with { Rule = listed });
                    }
                }

                continue;
            }

            int names = builder.DnsNames.Count;
            var result = CompileRule(rule, resolver, builder, diags, skipped);
            if (result is null)
            {
                builder.TruncateDnsNames(names); // (a skipped rule's names are not looked up)
                continue;
            }

            var (resolved, text, types, format, generic) = result.Value;
            bool enabled = rule.Enabled ?? true;
            var cr = new CompiledRule(format, generic)
            {
                Index = enabled ? compiled.Count : -1,
                Name = rule.Name,
                Description = rule.Desc ?? string.Empty,
                Condition = text,
                Output = rule.Output ?? string.Empty,
                Priority = rule.Priority ?? Priority.Debug,
                Action = rule.Action ?? RuleAction.Alert,
                Tags = rule.Tags ?? new List<string>(),
                Source = rule.Source ?? "syscall",
                Enabled = enabled,
                EventTypes = types,
                Location = rule.Location,
            };

            if (!enabled || cr.Priority > options.MinimumPriority)
            {
                disabled.Add(cr);
                builder.TruncateDnsNames(names);
                continue;
            }

            compiled.Add(cr);
            cr.Resolved = resolved;
            if (!options.BuildEngine)
            {
                continue;
            }

            foreach (var cls in types.Select(EventTypes.ClassOf).Distinct().OrderBy(x => x))
            {
                var factType = NRulesModelBuilder.FactTypes[cls];
                var lambda = builder.Build(resolved, factType, cls);
                if (lambda.Body is ConstantExpression { Value: false })
                {
                    continue;
                }

                lambda = WithTypeGuard(lambda, types, cls);
                definitions.Add(NRulesModelBuilder.Build(cr.Index, cr.Name, cls, lambda));
                if (options.PreMatch)
                {
                    var pre = (Expression<Func<HarrierEvent, bool>>)builder.Build(resolved, typeof(HarrierEvent), cls);
                    cr.ClassPredicates[cls] = pre.Compile();
                }
            }
        }

        if (options.WarnUnused)
        {
            foreach (var m in c.Macros.Where(m => !resolver.UsedMacros.Contains(m.Name)))
            {
                diags.Warning(DiagnosticCodes.UnusedMacro, m.Location, $"macro '{m.Name}' is not used by any rule or macro", m.Name);
            }

            foreach (var l in c.Lists.Where(l => !resolver.UsedLists.Contains(l.Name)))
            {
                diags.Warning(DiagnosticCodes.UnusedList, l.Location, $"list '{l.Name}' is not used by any rule, macro or list", l.Name);
            }
        }

        if (diags.HasErrors)
        {
            return null;
        }

        NRules.ISessionFactory? factory = null;
        var conditionsTime = sw.Elapsed;
        if (options.BuildEngine)
        {
            try
            {
                // With pre-match, NRules only sees events that will fire: for large rule sets interpret its conditions
                // (start-up time) instead of emitting IL (less work per match). See docs/rules.md.
                factory = NRulesModelBuilder.Compile(definitions, options.PreMatch && definitions.Count > InterpretAbove);
            }
            catch (Exception ex) when (ex is NRules.RuleCompilationException or InvalidOperationException or ArgumentException)
            {
                diags.Error(DiagnosticCodes.NrulesCompile, SourceLocation.None, "building the NRules network failed: " + ex.Message);
                return null;
            }
        }

        Correlation.CorrelationSet correlationSet;
        try
        {
            correlationSet = new Correlation.CorrelationSet(correlations) { MaxFacts = options.CorrelationMaxFacts };
        }
        catch (Exception ex) when (ex is NRules.RuleCompilationException or InvalidOperationException or ArgumentException)
        {
            diags.Error(DiagnosticCodes.NrulesCompile, SourceLocation.None, "building the correlation rules failed: " + ex.Message);
            return null;
        }

        if (options.BuildEngine && builder.DnsNames.Count > 0)
        {
            // the first answers, so that the set does not start blind; later refreshes run in the background
            builder.Dns.Prime(builder.DnsNames.Distinct());
        }

        sw.Stop();
        return new CompiledRuleSet(compiled, factory, options.RuleMatching, sw.Elapsed, options.PreMatch)
        {
            EngineBuildTime = sw.Elapsed - conditionsTime,
            Correlations = correlationSet,
        };
    }

    /// <summary>Prepends the event-type check (a bitmap lookup) unless the rule takes every type of the class.</summary>
    private static LambdaExpression WithTypeGuard(LambdaExpression lambda, IReadOnlyCollection<EventType> types, EventClass cls)
    {
        var classTypes = EventTypes.All.Where(t => EventTypes.ClassOf(t) == cls).ToList();
        if (classTypes.All(types.Contains))
        {
            return lambda;
        }

        var mask = new bool[512];
        foreach (var t in types)
        {
            mask[(int)t] = true;
        }

        var e = lambda.Parameters[0];
        var test = Expression.ArrayIndex(Expression.Constant(mask), Expression.Convert(Expression.Property(e, nameof(HarrierEvent.Type)), typeof(int)));
        return Expression.Lambda(Expression.AndAlso(test, lambda.Body), e);
    }

    private static (Node Resolved, string Text, IReadOnlyCollection<EventType> Types, OutputFormat Format, Expression<Func<HarrierEvent, bool>> Generic)? CompileRule(
        RuleItem rule, ConditionResolver resolver, ExpressionBuilder builder, DiagnosticBag diags, List<SkippedRule> skipped)
    {
        if (rule.Source is { } src && src != "syscall")
        {
            var reason = $"source '{src}' is not supported by Harrier (only 'syscall')";
            diags.Warning(DiagnosticCodes.UnknownSource, rule.Location, $"rule '{rule.Name}' skipped: {reason}", rule.Name);
            skipped.Add(new SkippedRule(rule.Name, reason, rule.Location));
            return null;
        }

        var condition = rule.Condition ?? string.Empty;
        var text = rule.Exceptions is { Count: > 0 } ? ExceptionExpander.Expand(condition, rule.Exceptions) : condition;
        try
        {
            if (rule.Exceptions is not null)
            {
                ValidateExceptionFields(rule);
            }

            Node ast;
            try
            {
                ast = ConditionParser.Parse(text);
            }
            catch (ConditionSyntaxException ex)
            {
                resolver.Report(rule, DiagnosticCodes.ConditionSyntax, ex.Message, ex.Position, text);
                return null;
            }

            var resolved = resolver.ResolveRule(ast);
            var generic = (Expression<Func<HarrierEvent, bool>>)builder.Build(resolved, typeof(HarrierEvent), null);

            OutputFormat format;
            try
            {
                format = OutputFormat.Parse(rule.Output ?? string.Empty, builder.Dns);
            }
            catch (FormatException ex)
            {
                diags.Error(DiagnosticCodes.OutputField, rule.Present.GetValueOrDefault("output", rule.Location), $"rule '{rule.Name}': invalid output: {ex.Message}", rule.Name);
                return null;
            }

            if (format.UnsupportedFields.Count > 0)
            {
                diags.Warning(DiagnosticCodes.OutputField, rule.Present.GetValueOrDefault("output", rule.Location), $"rule '{rule.Name}': output fields Harrier cannot supply print <NA>: {string.Join(", ", format.UnsupportedFields.Distinct())}", rule.Name);
            }

            foreach (var name in EventTypeInference.UnknownTypeNames(resolved).Distinct())
            {
                diags.Warning(DiagnosticCodes.UnknownEventType, rule.ConditionLocation, $"rule '{rule.Name}': event type '{name}' is not captured by Harrier (that part never matches)", rule.Name);
            }

            var types = EventTypeInference.Infer(resolved);
            if (types.Count == 0)
            {
                diags.Warning(DiagnosticCodes.NeverMatches, rule.Location, $"rule '{rule.Name}' can never match: none of its event types is captured by Harrier", rule.Name);
            }
            else if (types.Count == EventTypeInference.AllTypes.Count && rule.WarnEvttypes != false)
            {
                diags.Warning(DiagnosticCodes.NoEventTypes, rule.Location, $"rule '{rule.Name}' does not restrict evt.type: it is evaluated for every event (add an evt.type check, or warn_evttypes: false)", rule.Name);
            }

            return (resolved, text, types.OrderBy(t => t).ToArray(), format, generic);
        }
        catch (UnsupportedFieldException ex)
        {
            var reason = $"uses field '{ex.Field}', which Harrier cannot supply ({ex.Reason})";
            diags.Warning(DiagnosticCodes.UnsupportedField, resolver.Locate(rule, ex.Position, text), $"rule '{rule.Name}' skipped: {reason}", rule.Name, ConditionResolver.Caret(text, ex.Position));
            skipped.Add(new SkippedRule(rule.Name, reason, rule.Location));
            return null;
        }
        catch (UnknownFieldException ex)
        {
            if (rule.SkipIfUnknownFilter == true)
            {
                var reason = $"uses unknown field '{ex.Field}' (skip-if-unknown-filter: true)";
                diags.Warning(DiagnosticCodes.UnknownField, resolver.Locate(rule, ex.Position, text), $"rule '{rule.Name}' skipped: {reason}", rule.Name, ConditionResolver.Caret(text, ex.Position));
                skipped.Add(new SkippedRule(rule.Name, reason, rule.Location));
                return null;
            }

            resolver.Report(rule, DiagnosticCodes.UnknownField, ex.Message, ex.Position, text);
            return null;
        }
        catch (ConditionError ex)
        {
            resolver.Report(rule, ex.Code, ex.Message, ex.Position, text);
            return null;
        }
    }

    private static void ValidateExceptionFields(RuleItem rule)
    {
        foreach (var ex in rule.Exceptions!)
        {
            foreach (var f in ex.Fields)
            {
                var name = f.Trim();
                var bracket = name.IndexOf('[', StringComparison.Ordinal);
                var bare = bracket > 0 ? name[..bracket] : name;
                var (norm, _) = FieldRegistry.Normalize(bare, null);
                if (FieldRegistry.UnsupportedReason(norm) is { } reason)
                {
                    throw new UnsupportedFieldException(name, reason, 0);
                }

                if (!FieldRegistry.TryGet(norm, out _))
                {
                    throw new ConditionError(DiagnosticCodes.InvalidException, $"exception '{ex.Name}' uses unknown field '{name}'", 0);
                }
            }
        }
    }
}
