using System.Text.Json;

namespace Harrier.Rules;

/// <summary>
/// The rule verbs of the CLI. Exit codes: 0 ok, 1 rule errors, 2 usage.
/// <c>harrier rules validate FILE|DIR... [--json]</c>, <c>harrier rules list [-r FILE|DIR ...] [--json]</c>,
/// <c>harrier fields [--json]</c>. <paramref name="args"/> excludes the verb words themselves.
/// </summary>
public static class RulesCommands
{
    /// <summary>The default rule directory when <c>-r</c> is not given.</summary>
    public static string DefaultRulesPath { get; set; } = "/etc/harrier/rules.d";

    public static int Validate(string[] args, TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(o);
        bool json = args.Contains("--json");
        var paths = args.Where(a => a != "--json").ToList();
        if (paths.Count == 0 || paths.Any(p => p.StartsWith('-')))
        {
            o.WriteLine("usage: harrier rules validate FILE|DIR... [--json]");
            return 2;
        }

        var result = RuleLoader.Load(paths, new RuleLoadOptions { BuildEngine = false });
        var enforcement = result.RuleSet is { } set ? Enforcement.EnforcementSummary.ForValidate(set) : [];
        if (json)
        {
            // Informational: the enforcement array never changes the exit code.
            var doc = System.Text.Json.Nodes.JsonNode.Parse(result.ToJson())!.AsObject();
            doc["enforcement"] = Enforcement.EnforcementSummary.ToJson(enforcement);
            o.Write(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
        else
        {
            o.Write(result.Format());
            foreach (var e in enforcement)
            {
                o.WriteLine(e.ToString());
                foreach (var note in e.Notes)
                {
                    o.WriteLine($"    note: {note}");
                }
            }
        }

        return result.Errors.Count > 0 ? 1 : 0;
    }

    public static int List(string[] args, TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(o);
        bool json = false;
        var paths = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json": json = true; break;
                case "-r" or "--rules" when i + 1 < args.Length: paths.Add(args[++i]); break;
                default:
                    o.WriteLine("usage: harrier rules list [-r FILE|DIR ...] [--json]");
                    return 2;
            }
        }

        if (paths.Count == 0)
        {
            paths.Add(DefaultRulesPath);
        }

        var result = RuleLoader.Load(paths, new RuleLoadOptions { BuildEngine = false, WarnUnused = false });
        if (result.Errors.Count > 0)
        {
            o.Write(result.Format());
            return 1;
        }

        var rules = result.RuleSet!.Rules.Concat(result.Disabled).OrderBy(r => r.Location.File, StringComparer.Ordinal).ThenBy(r => r.Location.Line).ToList();
        if (json)
        {
            var doc = rules.Select(r => new Dictionary<string, object?>
            {
                ["name"] = r.Name,
                ["priority"] = r.Priority.ToString(),
                ["action"] = r.Action.ToString().ToLowerInvariant(),
                ["enabled"] = r.Enabled,
                ["tags"] = r.Tags,
                ["event_types"] = r.EventTypes.Select(Events.EventTypes.Name).ToList(),
                ["file"] = r.Location.File,
                ["line"] = r.Location.Line,
            }).Concat(result.Skipped.Select(s => new Dictionary<string, object?> { ["name"] = s.Name, ["skipped"] = s.Reason, ["file"] = s.Location.File, ["line"] = s.Location.Line }));
            o.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        foreach (var r in rules)
        {
            o.WriteLine($"{(r.Enabled ? "on " : "off")}  {r.Priority,-13} {r.Action.ToString().ToLowerInvariant(),-5}  {r.Name}");
        }

        foreach (var s in result.Skipped)
        {
            o.WriteLine($"skip {"-",-13} {"-",-5}  {s.Name}  ({s.Reason})");
        }

        o.WriteLine($"{rules.Count(r => r.Enabled)} enabled, {rules.Count(r => !r.Enabled)} disabled, {result.Skipped.Count} skipped");
        return 0;
    }

    public static int Fields(string[] args, TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(o);
        bool json = args.Contains("--json");
        if (args.Any(a => a != "--json"))
        {
            o.WriteLine("usage: harrier fields [--json]");
            return 2;
        }

        if (json)
        {
            var doc = FieldRegistry.All.Select(f => new Dictionary<string, object?>
            {
                ["name"] = f.Name,
                ["type"] = f.Type.ToString().ToLowerInvariant(),
                ["arg"] = f.ArgMode switch { FieldArgMode.None => null, FieldArgMode.Required => "required", _ => "optional" },
                ["description"] = f.Description,
            });
            o.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        foreach (var f in FieldRegistry.All)
        {
            var name = f.ArgMode == FieldArgMode.None ? f.Name : f.Name + "[...]";
            o.WriteLine($"{name,-28} {f.Type.ToString().ToLowerInvariant(),-10} {f.Description}");
        }

        return 0;
    }
}
