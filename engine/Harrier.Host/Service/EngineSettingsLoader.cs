using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Loading;
using Harrier.Engine.Verdicts;
using Harrier.Host.Configuration;
using Harrier.Host.Metrics;
using Harrier.Outputs;
using Microsoft.Extensions.Configuration;

namespace Harrier.Host.Service;

/// <summary>Builds the configuration from its layers and binds and validates every stage's options, reporting all
/// problems at once.</summary>
internal static class EngineSettingsLoader
{
    /// <summary>The sections Harrier knows; Serilog's and the sinks' own keys are free-form here (their owners check them).</summary>
    public static ConfigurationSchema Schema { get; } = new ConfigurationSchema()
        .Section("Serilog", null)
        .Section<ProbeOptions>("Probes")
        .Section<EnrichmentOptions>(EnrichmentOptions.SectionName)
        .Section<RulesOptions>(RulesOptions.SectionName)
        .Section("Outputs", null)
        .Section<EnforcementOptions>(EnforcementOptions.SectionName)
        .Section<MetricsOptions>(MetricsOptions.SectionName)
        .Section<DropAlertOptions>(DropAlertOptions.SectionName);

    /// <summary>Returns the settings, or null after writing every problem to <paramref name="err"/>.</summary>
    public static (EngineSettings? Settings, IConfigurationRoot? Root) Load(string? configPath, IReadOnlyList<string> overrides,
        IReadOnlyList<string> rulePaths, TextWriter err)
    {
        LoadedConfiguration loaded;
        try
        {
            loaded = HarrierConfiguration.Load(overrides, configPath, ConfigurationLocations.Default);
        }
        catch (HarrierConfigurationException ex)
        {
            err.WriteLine($"harrier: invalid configuration:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", ex.Errors)}");
            return (null, null);
        }

        var root = loaded.Root;
        var bindErrors = new List<string>();
        var probes = OptionsValidation.Bind<ProbeOptions>(root, "Probes", bindErrors);
        var enrichment = OptionsValidation.Bind<EnrichmentOptions>(root, EnrichmentOptions.SectionName, bindErrors);
        var rules = OptionsValidation.Bind<RulesOptions>(root, RulesOptions.SectionName, bindErrors);
        var enforcement = OptionsValidation.Bind<EnforcementOptions>(root, EnforcementOptions.SectionName, bindErrors);
        var metrics = OptionsValidation.Bind<MetricsOptions>(root, MetricsOptions.SectionName, bindErrors);
        var drops = OptionsValidation.Bind<DropAlertOptions>(root, DropAlertOptions.SectionName, bindErrors);
        OutputsOptions? outputs = null;
        IEnumerable<string> outputErrors;
        try
        {
            outputs = OutputsOptions.Bind(root.GetSection("Outputs"));
            outputErrors = outputs.Validate();
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OutputsConfigurationException)
        {
            outputErrors = [ex.Message];
        }

        string baseDir = loaded.Files.Count > 0 ? Path.GetDirectoryName(loaded.Files[0])! : Directory.GetCurrentDirectory();
        var paths = rulePaths.Count > 0 ? rulePaths.Select(Path.GetFullPath).ToArray() : rules.ResolvePaths(baseDir);
        var missing = paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).Select(p => $"Rules: rule path '{p}' does not exist");

        var errors = OptionsValidation.Collect(
            ("configuration", bindErrors),
            ("configuration", Schema.Check(root)),
            ("Probes", probes.Validate()),
            ("Enrichment", enrichment.Validate()),
            ("Rules", rules.Validate().Concat(missing)),
            ("Outputs", outputErrors),
            ("Enforcement", enforcement.Validate()),
            ("Metrics", metrics.Validate()),
            ("Drops", drops.Validate()));
        if (errors.Count > 0)
        {
            OptionsValidation.Report(errors, err);
            return (null, root);
        }

        return (new EngineSettings
        {
            Probes = probes,
            Enrichment = enrichment,
            Rules = rules,
            Outputs = outputs!,
            Enforcement = enforcement,
            Metrics = metrics,
            Drops = drops,
            ConfigPath = configPath,
            Overrides = overrides,
            CliRulePaths = rulePaths,
            RulePaths = paths,
            ConfigFiles = loaded.Files,
        }, root);
    }
}
