namespace Harrier.Engine.Detection;

/// <summary>The <c>Rules</c> section: which rule files to load and how matches are reported.</summary>
internal sealed record RulesOptions
{
    public const string SectionName = "Rules";

    /// <summary>Rule files or directories, loaded in order; relative paths are taken from the config file's directory.</summary>
    public IReadOnlyList<string> Paths { get; init; } = ["rules/default"];

    /// <summary><c>all</c> (every matching rule alerts, Falco's default) or <c>first</c> (only the first, in load order).</summary>
    public string RuleMatching { get; init; } = "all";

    /// <summary>Watch rule files and the config and reload on change (SIGHUP reloads too).</summary>
    public bool WatchFiles { get; init; } = true;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Paths.Count == 0)
        {
            errors.Add("Rules:Paths must name at least one rule file or directory");
        }

        if (RuleMatching is not ("all" or "first"))
        {
            errors.Add($"Rules:RuleMatching must be 'all' or 'first' (got '{RuleMatching}')");
        }

        return errors;
    }

    /// <summary>The paths made absolute against <paramref name="baseDirectory"/>.</summary>
    public IReadOnlyList<string> ResolvePaths(string baseDirectory) =>
        Paths.Select(p => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(baseDirectory, p))).ToArray();
}
