using Harrier.Rules.Collecting;
using Harrier.Rules.Compiling;
using Harrier.Rules.Diagnostics;
using Harrier.Rules.Reading;

namespace Harrier.Rules;

/// <summary>
/// Entry point: reads rule files (directories contribute their *.yaml/*.yml files in ordinal name order), merges them
/// in load order, compiles them into NRules, and reports everything at once. Never throws for bad input.
/// Thread-safe (no shared state).
/// </summary>
public sealed class RuleLoader
{
    /// <summary>Loads and compiles <paramref name="filesOrDirs"/>.</summary>
    public static RuleLoadResult Load(IReadOnlyList<string> filesOrDirs, RuleLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(filesOrDirs);
        var diags = new DiagnosticBag();
        var files = ExpandPaths(filesOrDirs, diags);
        var items = new List<RuleItem>();
        foreach (var f in files)
        {
            items.AddRange(RuleFileReader.ReadFile(f, diags));
        }

        return Compile(items, files, options ?? new RuleLoadOptions(), diags);
    }

    /// <summary>Loads rules from YAML text (tests, embedded rules); <paramref name="name"/> is used in locations.</summary>
    public static RuleLoadResult LoadText(string yaml, string name = "<text>", RuleLoadOptions? options = null)
        => LoadTexts(new[] { (name, yaml) }, options);

    /// <summary>Loads several YAML texts in order, as if they were files.</summary>
    public static RuleLoadResult LoadTexts(IReadOnlyList<(string Name, string Yaml)> texts, RuleLoadOptions? options = null)
    {
        var diags = new DiagnosticBag();
        var items = new List<RuleItem>();
        foreach (var (name, yaml) in texts)
        {
            items.AddRange(RuleFileReader.ReadText(name, yaml, diags));
        }

        return Compile(items, texts.Select(t => t.Name).ToList(), options ?? new RuleLoadOptions(), diags);
    }

    private static RuleLoadResult Compile(List<RuleItem> items, IReadOnlyList<string> files, RuleLoadOptions options, DiagnosticBag diags)
    {
        for (int i = 0; i < items.Count; i++)
        {
            items[i].Order = i;
        }

        var collection = RuleCollector.Collect(items, diags);
        var skipped = new List<SkippedRule>();
        var disabled = new List<CompiledRule>();
        CompiledRuleSet? set = null;
        try
        {
            set = RuleSetCompiler.Compile(collection, options, diags, skipped, disabled);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A defect, not bad input: still reported as a diagnostic rather than a crash.
            diags.Error(DiagnosticCodes.NrulesCompile, SourceLocation.None, $"internal error while compiling rules: {ex.GetType().Name}: {ex.Message}");
        }

        var warnings = diags.Warnings.ToList();
        if (diags.Dropped > 0)
        {
            warnings.Add(new RuleDiagnostic(DiagnosticSeverity.Warning, DiagnosticCodes.FileTooLarge, $"{diags.Dropped} more diagnostics were not recorded", SourceLocation.None));
        }

        return new RuleLoadResult(diags.Errors.ToList(), warnings, set, skipped, disabled, files);
    }

    private static List<string> ExpandPaths(IReadOnlyList<string> paths, DiagnosticBag diags)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                try
                {
                    files.AddRange(Directory.EnumerateFiles(p)
                        .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                        .Order(StringComparer.Ordinal));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    diags.Error(DiagnosticCodes.FileNotFound, new SourceLocation(p, 0, 0), $"cannot list rule directory: {ex.Message}");
                }
            }
            else if (File.Exists(p))
            {
                files.Add(p);
            }
            else
            {
                diags.Error(DiagnosticCodes.FileNotFound, new SourceLocation(p, 0, 0), "rule file or directory not found");
            }
        }

        return files;
    }
}
