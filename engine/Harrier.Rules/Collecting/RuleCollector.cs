using Harrier.Rules.Diagnostics;
using Harrier.Rules.Reading;

namespace Harrier.Rules.Collecting;

/// <summary>
/// Stage 2: merges items across files in load order: definitions (a later one replaces an earlier one of the same
/// name in place), legacy <c>append: true</c> (plain text concatenation with a space, no parentheses added) and
/// <c>override:</c> (append or replace per key, with Falco's allowed keys). Checks required engine/plugin versions.
/// </summary>
internal static class RuleCollector
{
    /// <summary>The engine version Harrier's rule language corresponds to (Falco's rules engine versioning).</summary>
    public static readonly Version EngineVersion = new(0, 57, 0);

    private static readonly HashSet<string> RuleAppendable = new(StringComparer.Ordinal) { "condition", "output", "desc", "tags", "exceptions" };

    private static readonly HashSet<string> RuleReplaceable = new(StringComparer.Ordinal)
    {
        "condition", "output", "desc", "priority", "tags", "exceptions", "enabled", "warn_evttypes", "capture",
        "capture_duration", "skip-if-unknown-filter", "action",
    };

    public static RuleCollection Collect(IReadOnlyList<RuleItem> items, DiagnosticBag diags)
    {
        var c = new RuleCollection();
        foreach (var item in items)
        {
            switch (item.Kind)
            {
                case RuleItemKind.RequiredEngineVersion:
                    CheckEngineVersion(item, diags);
                    break;
                case RuleItemKind.RequiredPluginVersions:
                    foreach (var (name, version) in item.Plugins)
                    {
                        if (name != "container")
                        {
                            diags.Error(DiagnosticCodes.PluginRequirement, item.Location, $"plugin '{name}' (version {version}) is required but Harrier has no plugins; only 'container' is satisfied by built-in container fields");
                        }
                    }

                    break;
                case RuleItemKind.List:
                    Merge(item, c.Lists, c.ListsByName, diags);
                    break;
                case RuleItemKind.Macro:
                    Merge(item, c.Macros, c.MacrosByName, diags);
                    break;
                default:
                    Merge(item, c.Rules, c.RulesByName, diags);
                    break;
            }
        }

        return c;
    }

    private static void CheckEngineVersion(RuleItem item, DiagnosticBag diags)
    {
        var text = item.Version?.Trim() ?? string.Empty;
        Version? v = null;
        if (int.TryParse(text, out int legacy))
        {
            // Legacy integer engine versions (e.g. 8) are all older than the semver scheme.
            v = new Version(0, legacy, 0);
        }
        else if (!Version.TryParse(text, out v))
        {
            diags.Error(DiagnosticCodes.EngineVersion, item.Location, $"required_engine_version '{text}' is not a version (expected e.g. 0.57.0)");
            return;
        }

        if (v > EngineVersion)
        {
            diags.Error(DiagnosticCodes.EngineVersion, item.Location, $"rules require engine version {text}, but Harrier implements {EngineVersion}");
        }
    }

    private static void Merge(RuleItem item, List<RuleItem> ordered, Dictionary<string, RuleItem> byName, DiagnosticBag diags)
    {
        byName.TryGetValue(item.Name, out var prev);
        bool hasOverride = item.Present.ContainsKey("override");
        if (item.Append && hasOverride)
        {
            diags.Error(DiagnosticCodes.AppendAndOverride, item.Location, $"{item.KindName} '{item.Name}' has both 'append' and 'override'; use one", item.Name);
            return;
        }

        if (hasOverride)
        {
            ApplyOverride(item, prev, diags);
            return;
        }

        if (item.Append)
        {
            ApplyAppend(item, prev, diags);
            return;
        }

        // Falco: a rule item with only a name and 'enabled' toggles an existing rule.
        if (item.Kind == RuleItemKind.Rule && prev is not null && item.Present.Count == 1 && item.Present.ContainsKey("enabled"))
        {
            prev.Enabled = item.Enabled;
            return;
        }

        if (!CheckRequired(item, diags))
        {
            return;
        }

        var copy = item.Copy();
        if (prev is not null)
        {
            int i = ordered.IndexOf(prev);
            copy.Order = prev.Order;
            ordered[i] = copy;
        }
        else
        {
            ordered.Add(copy);
        }

        byName[item.Name] = copy;
    }

    private static bool CheckRequired(RuleItem item, DiagnosticBag diags)
    {
        string[] required = item.Kind switch
        {
            RuleItemKind.List => new[] { "items" },
            RuleItemKind.Macro => new[] { "condition" },
            _ when item.Correlation is not null => new[] { "output", "desc", "priority" },
            _ => new[] { "condition", "output", "desc", "priority" },
        };
        bool ok = true;
        if (item.Correlation is not null && item.Present.ContainsKey("condition"))
        {
            diags.Error(DiagnosticCodes.InvalidCorrelation, item.Present["condition"], $"rule '{item.Name}' has a '{(item.Correlation.Kind == Correlation.CorrelationKind.Sequence ? "sequence" : "threshold")}' block: put its conditions there, not in 'condition'", item.Name);
            ok = false;
        }

        foreach (var key in required)
        {
            if (!item.Present.ContainsKey(key))
            {
                var hint = item.Kind == RuleItemKind.Rule && item.Present.Count == 1 && item.Present.ContainsKey("enabled")
                    ? " (an item with only 'enabled' needs an existing rule of that name)"
                    : string.Empty;
                diags.Error(DiagnosticCodes.MissingKey, item.Location, $"{item.KindName} '{item.Name}' has no '{key}' key{hint}", item.Name);
                ok = false;
            }
        }

        return ok;
    }

    private static void ApplyAppend(RuleItem item, RuleItem? prev, DiagnosticBag diags)
    {
        if (prev is null)
        {
            diags.Error(DiagnosticCodes.AppendWithoutBase, item.Location, $"{item.KindName} '{item.Name}' has 'append: true' but no {item.KindName} by that name was defined before", item.Name);
            return;
        }

        switch (item.Kind)
        {
            case RuleItemKind.List:
                prev.Items.AddRange(item.Items);
                break;
            case RuleItemKind.Macro:
                if (item.Condition is not null)
                {
                    prev.Condition = prev.Condition + " " + item.Condition;
                }

                break;
            default:
                if (item.Condition is null && item.Exceptions is null)
                {
                    diags.Error(DiagnosticCodes.OverrideInvalid, item.Location, $"appended rule '{item.Name}' must have a 'condition' or 'exceptions' key", item.Name);
                    return;
                }

                foreach (var key in item.Present.Keys)
                {
                    if (key is not ("condition" or "exceptions" or "append"))
                    {
                        diags.Warning(DiagnosticCodes.OverrideInvalid, item.Present[key], $"key '{key}' is ignored in an appended rule (only 'condition' and 'exceptions' are appended)", item.Name);
                    }
                }

                if (item.Condition is not null)
                {
                    prev.Condition = prev.Condition + " " + item.Condition;
                }

                if (item.Exceptions is not null)
                {
                    AppendExceptions(prev, item, diags);
                }

                break;
        }
    }

    private static void AppendExceptions(RuleItem prev, RuleItem item, DiagnosticBag diags)
    {
        prev.Exceptions ??= new List<ExceptionSpec>();
        foreach (var ex in item.Exceptions!)
        {
            var existing = prev.Exceptions.FirstOrDefault(e => e.Name == ex.Name);
            if (existing is null)
            {
                if (ex.Fields.Count == 0)
                {
                    diags.Error(DiagnosticCodes.InvalidException, ex.Location, $"exception '{ex.Name}' is not defined in rule '{prev.Name}' and has no 'fields'", item.Name);
                    continue;
                }

                prev.Exceptions.Add(ex);
                continue;
            }

            foreach (var v in ex.Values)
            {
                if (existing.FieldsIsList && (!v.IsList || v.Items!.Count != existing.Fields.Count))
                {
                    diags.Error(DiagnosticCodes.InvalidException, ex.Location, $"exception '{ex.Name}': appended values must be tuples of {existing.Fields.Count} items", item.Name);
                    continue;
                }

                existing.Values.Add(v);
            }
        }
    }

    private static void ApplyOverride(RuleItem item, RuleItem? prev, DiagnosticBag diags)
    {
        if (prev is null)
        {
            diags.Error(DiagnosticCodes.AppendWithoutBase, item.Location, $"{item.KindName} '{item.Name}' has 'override' but no {item.KindName} by that name was defined before", item.Name);
            return;
        }

        var appendable = item.Kind switch
        {
            RuleItemKind.List => new HashSet<string> { "items" },
            RuleItemKind.Macro => new HashSet<string> { "condition" },
            _ => RuleAppendable,
        };
        var replaceable = item.Kind switch
        {
            RuleItemKind.List => new HashSet<string> { "items" },
            RuleItemKind.Macro => new HashSet<string> { "condition" },
            _ => RuleReplaceable,
        };

        bool ok = true;
        foreach (var (key, how) in item.Override)
        {
            var allowed = how == "append" ? appendable : replaceable;
            if (!allowed.Contains(key))
            {
                diags.Error(DiagnosticCodes.OverrideInvalid, item.Location, $"key '{key}' cannot be overridden with '{how}' in a {item.KindName} (allowed: {string.Join(", ", allowed.Order())})", item.Name);
                ok = false;
            }
            else if (!item.Present.ContainsKey(key))
            {
                diags.Error(DiagnosticCodes.OverrideInvalid, item.Location, $"'override' names key '{key}' but the item does not set it", item.Name);
                ok = false;
            }
        }

        foreach (var key in item.Present.Keys)
        {
            if (key != "override" && !item.Override.ContainsKey(key))
            {
                diags.Error(DiagnosticCodes.OverrideInvalid, item.Present[key], $"key '{key}' is set but not listed in 'override' of {item.KindName} '{item.Name}'", item.Name);
                ok = false;
            }
        }

        if (!ok)
        {
            return;
        }

        foreach (var (key, how) in item.Override)
        {
            bool append = how == "append";
            switch (key)
            {
                case "items":
                    if (append) prev.Items.AddRange(item.Items);
                    else prev.Items = new List<string>(item.Items);
                    break;
                case "condition":
                    prev.Condition = append ? prev.Condition + " " + item.Condition : item.Condition;
                    if (!append) prev.ConditionLocation = item.ConditionLocation;
                    break;
                case "output":
                    prev.Output = append ? prev.Output + " " + item.Output : item.Output;
                    break;
                case "desc":
                    prev.Desc = append ? prev.Desc + " " + item.Desc : item.Desc;
                    break;
                case "tags":
                    prev.Tags = append ? (prev.Tags ?? new List<string>()).Concat(item.Tags ?? new List<string>()).Distinct().ToList() : item.Tags;
                    break;
                case "exceptions":
                    if (append) AppendExceptions(prev, item, diags);
                    else prev.Exceptions = item.Exceptions is null ? null : new List<ExceptionSpec>(item.Exceptions);
                    break;
                case "priority": prev.Priority = item.Priority; break;
                case "enabled": prev.Enabled = item.Enabled; break;
                case "warn_evttypes": prev.WarnEvttypes = item.WarnEvttypes; break;
                case "capture": prev.Capture = item.Capture; break;
                case "skip-if-unknown-filter": prev.SkipIfUnknownFilter = item.SkipIfUnknownFilter; break;
                case "action": prev.Action = item.Action; break;
            }
        }
    }
}
