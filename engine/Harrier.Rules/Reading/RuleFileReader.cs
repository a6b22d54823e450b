using Harrier.Events;
using Harrier.Rules.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Harrier.Rules.Reading;

/// <summary>
/// Stage 1: reads one rule file (YAML) into <see cref="RuleItem"/>s that carry file:line:col, using YamlDotNet's
/// representation model for the marks. Every problem becomes a diagnostic; reading never throws for bad input.
/// Stateless apart from the diagnostics bag it is given; not thread-safe per bag.
/// </summary>
internal static class RuleFileReader
{
    /// <summary>Files larger than this are refused (a rule file is text; this bounds memory and time).</summary>
    public const long MaxFileBytes = 32L * 1024 * 1024;

    private const int MaxDepth = 64;
    private const int MaxNodes = 2_000_000;

    private static readonly HashSet<string> RuleKeys = new(StringComparer.Ordinal)
    {
        "rule", "desc", "condition", "output", "priority", "enabled", "tags", "source", "exceptions",
        "warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration", "append", "override", "action",
        "sequence", "threshold",
    };

    private static readonly HashSet<string> MacroKeys = new(StringComparer.Ordinal) { "macro", "condition", "append", "override" };

    private static readonly HashSet<string> ListKeys = new(StringComparer.Ordinal) { "list", "items", "append", "override" };

    /// <summary>Reads the file at <paramref name="path"/>; returns its items in order (empty on any fatal error).</summary>
    public static List<RuleItem> ReadFile(string path, DiagnosticBag diags)
    {
        var at = new SourceLocation(path, 0, 0);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                diags.Error(DiagnosticCodes.FileTooLarge, at, $"rule file is {info.Length} bytes, more than the limit of {MaxFileBytes}");
                return new List<RuleItem>();
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            diags.Error(DiagnosticCodes.FileNotFound, at, $"cannot read rule file: {ex.Message}");
            return new List<RuleItem>();
        }

        return ReadText(path, text, diags);
    }

    /// <summary>Reads rule YAML from a string; <paramref name="name"/> is used in locations.</summary>
    public static List<RuleItem> ReadText(string name, string text, DiagnosticBag diags)
    {
        diags.AddSource(name, text);
        var items = new List<RuleItem>();
        if (NestingDepth(text) is var (depth, line) && depth > MaxDepth)
        {
            diags.Error(DiagnosticCodes.YamlSyntax, new SourceLocation(name, line, 1), $"YAML nesting deeper than {MaxDepth} levels");
            return items;
        }

        var stream = new YamlStream();
        try
        {
            LoadWithLargeStack(stream, text);
        }
        catch (YamlException ex)
        {
            var at = new SourceLocation(name, (int)ex.Start.Line, (int)ex.Start.Column);
            var msg = ex.InnerException is null ? ex.Message : ex.Message + ": " + ex.InnerException.Message;
            diags.Error(DiagnosticCodes.YamlSyntax, at, "YAML syntax error: " + msg);
            return items;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or OverflowException)
        {
            diags.Error(DiagnosticCodes.YamlSyntax, new SourceLocation(name, 1, 1), "YAML error: " + ex.Message);
            return items;
        }

        if (stream.Documents.Count == 0)
        {
            diags.Warning(DiagnosticCodes.EmptyFile, new SourceLocation(name, 1, 1), "rule file is empty");
            return items;
        }

        int nodes = 0;
        foreach (var doc in stream.Documents)
        {
            RawValue root;
            try
            {
                root = Convert(name, doc.RootNode, 0, ref nodes);
            }
            catch (InvalidDataException ex)
            {
                diags.Error(DiagnosticCodes.YamlSyntax, Loc(name, doc.RootNode), ex.Message);
                continue;
            }

            if (root.Scalar is { Length: 0 })
            {
                continue; // an empty document
            }

            if (root.Sequence is null)
            {
                diags.Error(DiagnosticCodes.NotASequence, root.Location, $"a rule file must be a sequence of items, found {root.KindName}");
                continue;
            }

            foreach (var entry in root.Sequence)
            {
                var item = ReadItem(name, entry, diags);
                if (item is not null)
                {
                    items.Add(item);
                }
            }
        }

        return items;
    }

    /// <summary>
    /// YamlDotNet's representation model recurses per nesting level; load on a thread with a generous stack so even a
    /// file at the nesting limit cannot overflow the caller's stack. Exceptions are re-thrown on the caller.
    /// </summary>
    private static void LoadWithLargeStack(YamlStream stream, string text)
    {
        Exception? error = null;
        var t = new Thread(
            () =>
            {
                try
                {
                    stream.Load(new StringReader(text));
                }
                catch (Exception ex)
                {
                    error = ex;
                }
            },
            64 * 1024 * 1024);
        t.Start();
        t.Join();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    /// <summary>
    /// A conservative estimate of the nesting depth (flow brackets plus block indentation levels and inline "- - -"),
    /// computed without recursion so hostile input is refused before the YAML parser sees it. Returns the line.
    /// </summary>
    internal static (int Depth, int Line) NestingDepth(string text)
    {
        int max = 0, maxLine = 1, line = 1, flow = 0;
        var indents = new Stack<int>();
        int i = 0;
        while (i < text.Length)
        {
            // one line
            int start = i;
            int end = text.IndexOf('\n', i);
            if (end < 0) end = text.Length;
            int indent = 0;
            while (start + indent < end && text[start + indent] == ' ') indent++;
            int j = start + indent;
            bool blank = j >= end || text[j] == '#' || text[j] == '\r';
            if (!blank && flow == 0)
            {
                while (indents.Count > 0 && indents.Peek() >= indent) indents.Pop();
                indents.Push(indent);
                int dashes = 0;
                while (j + 1 < end && text[j] == '-' && text[j + 1] == ' ')
                {
                    dashes++;
                    j += 2;
                    while (j < end && text[j] == ' ') j++;
                }

                if (indents.Count + dashes > max) { max = indents.Count + dashes; maxLine = line; }
            }

            char quote = '\0';
            for (int k = start + indent; k < end; k++)
            {
                char c = text[k];
                if (quote != '\0')
                {
                    if (c == quote) quote = '\0';
                    continue;
                }

                switch (c)
                {
                    case '"' or '\'': quote = c; break;
                    case '[' or '{':
                        flow++;
                        if (indents.Count + flow > max) { max = indents.Count + flow; maxLine = line; }
                        break;
                    case ']' or '}': if (flow > 0) flow--; break;
                    case '#' when k == start || text[k - 1] == ' ': k = end; break;
                }
            }

            i = end + 1;
            line++;
        }

        return (max, maxLine);
    }

    private static SourceLocation Loc(string file, YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    private static RawValue Convert(string file, YamlNode node, int depth, ref int nodes)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException($"YAML nesting deeper than {MaxDepth} levels");
        }

        if (++nodes > MaxNodes)
        {
            throw new InvalidDataException($"YAML has more than {MaxNodes} nodes (alias expansion?)");
        }

        var at = Loc(file, node);
        switch (node)
        {
            case YamlScalarNode s:
                return new RawValue
                {
                    Location = at,
                    Scalar = s.Value ?? string.Empty,
                    Quoted = s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded,
                };
            case YamlSequenceNode q:
                var list = new List<RawValue>(q.Children.Count);
                foreach (var c in q.Children)
                {
                    list.Add(Convert(file, c, depth + 1, ref nodes));
                }

                return new RawValue { Location = at, Sequence = list };
            case YamlMappingNode m:
                var map = new List<KeyValuePair<RawValue, RawValue>>(m.Children.Count);
                foreach (var kv in m.Children)
                {
                    map.Add(new(Convert(file, kv.Key, depth + 1, ref nodes), Convert(file, kv.Value, depth + 1, ref nodes)));
                }

                return new RawValue { Location = at, Mapping = map };
            default:
                return new RawValue { Location = at, Scalar = string.Empty };
        }
    }

    private static RuleItem? ReadItem(string file, RawValue entry, DiagnosticBag diags)
    {
        if (entry.Mapping is null)
        {
            diags.Error(DiagnosticCodes.ItemNotAMapping, entry.Location, $"each item must be a mapping, found {entry.KindName}");
            return null;
        }

        RuleItemKind? kind = null;
        RawValue? nameValue = null;
        string kindKey = string.Empty;
        foreach (var kv in entry.Mapping)
        {
            var k = kv.Key.Scalar;
            RuleItemKind? kk = k switch
            {
                "rule" => RuleItemKind.Rule,
                "macro" => RuleItemKind.Macro,
                "list" => RuleItemKind.List,
                "required_engine_version" => RuleItemKind.RequiredEngineVersion,
                "required_plugin_versions" => RuleItemKind.RequiredPluginVersions,
                _ => null,
            };
            if (kk is not null)
            {
                kind = kk;
                nameValue = kv.Value;
                kindKey = k!;
                break;
            }
        }

        if (kind is null || nameValue is null)
        {
            var keys = string.Join(", ", entry.Mapping.Select(kv => kv.Key.Scalar ?? "?"));
            diags.Warning(DiagnosticCodes.UnknownItem, entry.Location, $"unknown top-level item (keys: {keys}); expected rule, macro, list, required_engine_version or required_plugin_versions");
            return null;
        }

        var item = new RuleItem { Kind = kind.Value, Name = string.Empty, Location = entry.Location };
        if (kind is RuleItemKind.RequiredEngineVersion)
        {
            if (nameValue.Scalar is null)
            {
                diags.Error(DiagnosticCodes.WrongType, nameValue.Location, $"required_engine_version must be a scalar, found {nameValue.KindName}");
                return null;
            }

            item.Name = kindKey;
            item.Version = nameValue.Scalar;
            return item;
        }

        if (kind is RuleItemKind.RequiredPluginVersions)
        {
            item.Name = kindKey;
            return ReadPlugins(item, nameValue, diags) ? item : null;
        }

        if (nameValue.Scalar is null || nameValue.Scalar.Trim().Length == 0)
        {
            diags.Error(DiagnosticCodes.WrongType, nameValue.Location, $"the {kindKey} name must be a non-empty string, found {(nameValue.Scalar is null ? nameValue.KindName : "an empty string")}");
            return null;
        }

        item.Name = nameValue.Scalar;
        var allowed = kind switch
        {
            RuleItemKind.Rule => RuleKeys,
            RuleItemKind.Macro => MacroKeys,
            _ => ListKeys,
        };

        bool ok = true;
        foreach (var kv in entry.Mapping)
        {
            var key = kv.Key.Scalar;
            if (key is null)
            {
                diags.Error(DiagnosticCodes.WrongType, kv.Key.Location, "item keys must be scalars", item.Name);
                ok = false;
                continue;
            }

            if (key == kindKey)
            {
                continue;
            }

            if (!allowed.Contains(key))
            {
                item.Extra[key] = kv.Value;
                diags.Warning(DiagnosticCodes.UnknownKey, kv.Key.Location, $"unknown key '{key}' in {kindKey} '{item.Name}' (ignored)", item.Name);
                continue;
            }

            item.Present[key] = kv.Value.Location;
            ok &= ReadKey(item, key, kv.Value, diags);
        }

        return ok ? item : null;
    }

    private static bool ReadPlugins(RuleItem item, RawValue v, DiagnosticBag diags)
    {
        if (v.Sequence is null)
        {
            diags.Error(DiagnosticCodes.WrongType, v.Location, $"required_plugin_versions must be a sequence, found {v.KindName}");
            return false;
        }

        foreach (var p in v.Sequence)
        {
            string? name = null, version = null;
            foreach (var kv in p.Mapping ?? Array.Empty<KeyValuePair<RawValue, RawValue>>())
            {
                if (kv.Key.Scalar == "name") name = kv.Value.Scalar;
                else if (kv.Key.Scalar == "version") version = kv.Value.Scalar;
            }

            if (name is null || version is null)
            {
                diags.Error(DiagnosticCodes.MissingKey, p.Location, "each required plugin needs 'name' and 'version'");
                return false;
            }

            item.Plugins.Add(new(name, version));
        }

        return true;
    }

    private static bool ReadKey(RuleItem item, string key, RawValue v, DiagnosticBag diags)
    {
        switch (key)
        {
            case "sequence" or "threshold":
                return CorrelationItemReader.Read(item, key, v, diags);
            case "items":
                if (v.Sequence is null)
                {
                    if (v.Scalar is { Length: 0 })
                    {
                        item.Items = new List<string>();
                        return true;
                    }

                    return WrongType(item, key, "a sequence", v, diags);
                }

                var items = new List<string>(v.Sequence.Count);
                foreach (var e in v.Sequence)
                {
                    if (e.Scalar is null)
                    {
                        return WrongType(item, "items entry", "a scalar", e, diags);
                    }

                    items.Add(e.Scalar);
                }

                item.Items = items;
                return true;
            case "condition":
                if (v.Scalar is null)
                {
                    return WrongType(item, key, "a string", v, diags);
                }

                item.Condition = v.Scalar;
                item.ConditionLocation = v.Location;
                return true;
            case "desc":
                if (v.Scalar is null) return WrongType(item, key, "a string", v, diags);
                item.Desc = v.Scalar;
                return true;
            case "output":
                if (v.Scalar is null) return WrongType(item, key, "a string", v, diags);
                item.Output = v.Scalar;
                return true;
            case "source":
                if (v.Scalar is null) return WrongType(item, key, "a string", v, diags);
                item.Source = v.Scalar;
                return true;
            case "priority":
                if (v.Scalar is null) return WrongType(item, key, "a string", v, diags);
                if (!Priorities.TryParse(v.Scalar, out var prio))
                {
                    diags.Error(DiagnosticCodes.InvalidPriority, v.Location, $"invalid priority '{v.Scalar}': expected one of emergency, alert, critical, error, warning, notice, informational (info), debug", item.Name);
                    return false;
                }

                item.Priority = prio;
                return true;
            case "action":
                if (v.Scalar is null) return WrongType(item, key, "a string", v, diags);
                switch (v.Scalar.Trim().ToLowerInvariant())
                {
                    case "alert": item.Action = RuleAction.Alert; return true;
                    case "deny": item.Action = RuleAction.Deny; return true;
                    case "kill": item.Action = RuleAction.Kill; return true;
                    default:
                        diags.Error(DiagnosticCodes.InvalidAction, v.Location, $"invalid action '{v.Scalar}': expected alert, deny or kill", item.Name);
                        return false;
                }

            case "tags":
                if (v.Sequence is null)
                {
                    if (v.Scalar is { Length: 0 })
                    {
                        item.Tags = new List<string>();
                        return true;
                    }

                    return WrongType(item, key, "a sequence", v, diags);
                }

                var tags = new List<string>();
                foreach (var t in v.Sequence)
                {
                    if (t.Scalar is null) return WrongType(item, "tags entry", "a scalar", t, diags);
                    tags.Add(t.Scalar);
                }

                item.Tags = tags;
                return true;
            case "enabled":
            case "warn_evttypes":
            case "skip-if-unknown-filter":
            case "capture":
            case "append":
                if (!TryBool(v, out var b))
                {
                    return WrongType(item, key, "a boolean", v, diags);
                }

                switch (key)
                {
                    case "enabled": item.Enabled = b; break;
                    case "warn_evttypes": item.WarnEvttypes = b; break;
                    case "skip-if-unknown-filter": item.SkipIfUnknownFilter = b; break;
                    case "capture": item.Capture = b; break;
                    default: item.Append = b; break;
                }

                return true;
            case "capture_duration":
                if (v.Scalar is null || !long.TryParse(v.Scalar, out _)) return WrongType(item, key, "an integer", v, diags);
                return true;
            case "override":
                if (v.Mapping is null) return WrongType(item, key, "a mapping", v, diags);
                foreach (var kv in v.Mapping)
                {
                    var how = kv.Value.Scalar?.Trim();
                    if (kv.Key.Scalar is null || (how != "append" && how != "replace"))
                    {
                        diags.Error(DiagnosticCodes.OverrideInvalid, kv.Value.Location, $"override values must be 'append' or 'replace', found '{kv.Value.Scalar ?? kv.Value.KindName}'", item.Name);
                        return false;
                    }

                    item.Override[kv.Key.Scalar] = how;
                }

                return true;
            case "exceptions":
                return ReadExceptions(item, v, diags);
            default:
                return true;
        }
    }

    private static bool TryBool(RawValue v, out bool b)
    {
        b = false;
        switch (v.Scalar?.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "on": b = true; return true;
            case "false" or "no" or "off": return true;
            default: return false;
        }
    }

    private static bool WrongType(RuleItem item, string key, string expected, RawValue v, DiagnosticBag diags)
    {
        diags.Error(DiagnosticCodes.WrongType, v.Location, $"'{key}' of {item.KindName} '{item.Name}' must be {expected}, found {v.KindName}", item.Name);
        return false;
    }

    private static bool ReadExceptions(RuleItem item, RawValue v, DiagnosticBag diags)
    {
        if (v.Sequence is null)
        {
            return WrongType(item, "exceptions", "a sequence", v, diags);
        }

        var list = new List<ExceptionSpec>();
        bool ok = true;
        foreach (var e in v.Sequence)
        {
            if (e.Mapping is null)
            {
                ok = WrongType(item, "exceptions entry", "a mapping", e, diags);
                continue;
            }

            string? name = null;
            RawValue? fields = null, comps = null, values = null;
            foreach (var kv in e.Mapping)
            {
                switch (kv.Key.Scalar)
                {
                    case "name": name = kv.Value.Scalar; break;
                    case "fields": fields = kv.Value; break;
                    case "comps": comps = kv.Value; break;
                    case "values": values = kv.Value; break;
                    default:
                        diags.Warning(DiagnosticCodes.UnknownKey, kv.Key.Location, $"unknown key '{kv.Key.Scalar}' in exception", item.Name);
                        break;
                }
            }

            if (string.IsNullOrWhiteSpace(name))
            {
                diags.Error(DiagnosticCodes.InvalidException, e.Location, "exception has no 'name'", item.Name);
                ok = false;
                continue;
            }

            var spec = ParseException(item, name, e.Location, fields, comps, values, diags);
            if (spec is null)
            {
                ok = false;
                continue;
            }

            list.Add(spec);
        }

        item.Exceptions = list;
        return ok;
    }

    private static ExceptionSpec? ParseException(RuleItem item, string name, SourceLocation at, RawValue? fields, RawValue? comps, RawValue? values, DiagnosticBag diags)
    {
        var fieldNames = new List<string>();
        bool isList;
        if (fields is null)
        {
            // An exception with only a name and values refers to one defined earlier (used when appending).
            isList = false;
        }
        else if (fields.Scalar is not null)
        {
            isList = false;
            fieldNames.Add(fields.Scalar);
        }
        else if (fields.Sequence is not null && fields.Sequence.All(f => f.Scalar is not null))
        {
            isList = true;
            fieldNames.AddRange(fields.Sequence.Select(f => f.Scalar!));
        }
        else
        {
            diags.Error(DiagnosticCodes.InvalidException, fields.Location, $"exception '{name}': 'fields' must be a field name or a sequence of field names", item.Name);
            return null;
        }

        var compList = new List<string>();
        if (comps is null)
        {
            compList.AddRange(isList ? fieldNames.Select(_ => "=") : new[] { "in" });
        }
        else if (comps.Scalar is not null && !isList)
        {
            compList.Add(comps.Scalar);
        }
        else if (comps.Sequence is not null && isList && comps.Sequence.All(c => c.Scalar is not null))
        {
            compList.AddRange(comps.Sequence.Select(c => c.Scalar!));
        }
        else
        {
            diags.Error(DiagnosticCodes.InvalidException, comps.Location, $"exception '{name}': 'comps' must be {(isList ? "a sequence" : "a single operator")} matching the form of 'fields'", item.Name);
            return null;
        }

        if (isList && compList.Count != fieldNames.Count)
        {
            diags.Error(DiagnosticCodes.InvalidException, comps?.Location ?? at, $"exception '{name}': {fieldNames.Count} fields but {compList.Count} comps", item.Name);
            return null;
        }

        foreach (var c in compList)
        {
            if (!Conditions.Operators.IsOperator(c.Trim()))
            {
                diags.Error(DiagnosticCodes.InvalidException, comps?.Location ?? at, $"exception '{name}': '{c}' is not a comparison operator", item.Name);
                return null;
            }
        }

        var spec = new ExceptionSpec { Name = name, Location = at, FieldsIsList = isList, Fields = fieldNames, Comps = compList };
        if (values is null)
        {
            return spec;
        }

        if (values.Sequence is null)
        {
            diags.Error(DiagnosticCodes.InvalidException, values.Location, $"exception '{name}': 'values' must be a sequence", item.Name);
            return null;
        }

        foreach (var val in values.Sequence)
        {
            var ev = ToExceptionValue(val);
            if (ev is null)
            {
                diags.Error(DiagnosticCodes.InvalidException, val.Location, $"exception '{name}': values must be strings or lists of strings", item.Name);
                return null;
            }

            if (fields is not null)
            {
                if (isList && (!ev.IsList || ev.Items!.Count != fieldNames.Count))
                {
                    diags.Error(DiagnosticCodes.InvalidException, val.Location, $"exception '{name}': each value must be a tuple of {fieldNames.Count} items (one per field)", item.Name);
                    return null;
                }

                if (!isList && ev.IsList)
                {
                    diags.Error(DiagnosticCodes.InvalidException, val.Location, $"exception '{name}': with a single field each value must be a string, not a list", item.Name);
                    return null;
                }
            }

            spec.Values.Add(ev);
        }

        return spec;
    }

    private static ExceptionValue? ToExceptionValue(RawValue v)
    {
        if (v.Scalar is not null)
        {
            return new ExceptionValue { Item = v.Scalar };
        }

        if (v.Sequence is null)
        {
            return null;
        }

        var items = new List<ExceptionValue>();
        foreach (var e in v.Sequence)
        {
            var x = ToExceptionValue(e);
            if (x is null)
            {
                return null;
            }

            items.Add(x);
        }

        return new ExceptionValue { Items = items };
    }
}
