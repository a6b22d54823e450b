using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Loading;
using Harrier.Engine.Verdicts;
using Harrier.Outputs;

namespace Harrier.Host.Service;

/// <summary>Every stage's validated options, bound once at start-up from the merged configuration.</summary>
internal sealed record EngineSettings
{
    public required ProbeOptions Probes { get; init; }

    public required EnrichmentOptions Enrichment { get; init; }

    public required RulesOptions Rules { get; init; }

    public required OutputsOptions Outputs { get; init; }

    public required EnforcementOptions Enforcement { get; init; }

    public required Harrier.Host.Metrics.MetricsOptions Metrics { get; init; }

    /// <summary>Absolute rule file or directory paths (from -r, else Rules:Paths against the config's directory).</summary>
    public required IReadOnlyList<string> RulePaths { get; init; }

    public required DropAlertOptions Drops { get; init; }

    /// <summary>The configuration files read, in order (for support output and reload watching).</summary>
    public IReadOnlyList<string> ConfigFiles { get; init; } = Array.Empty<string>();

    /// <summary>What the settings were built from (<c>--config</c>, <c>-o</c>, <c>-r</c>), so a reload rebuilds them alike.</summary>
    public string? ConfigPath { get; init; }

    public IReadOnlyList<string> Overrides { get; init; } = Array.Empty<string>();

    public IReadOnlyList<string> CliRulePaths { get; init; } = Array.Empty<string>();

    /// <summary>Loads and compiles the rule files with the configured <c>Rules:RuleMatching</c>.</summary>
    public Harrier.Rules.RuleLoadResult LoadRules() => Harrier.Rules.RuleLoader.Load(RulePaths, new Harrier.Rules.RuleLoadOptions
    {
        RuleMatching = Rules.RuleMatching == "first" ? Harrier.Rules.RuleMatchingMode.First : Harrier.Rules.RuleMatchingMode.All,
    });
}
