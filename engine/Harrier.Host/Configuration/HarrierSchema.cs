using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Loading;
using Harrier.Engine.Verdicts;

namespace Harrier.Host.Configuration;

/// <summary>
/// The schema of Harrier's configuration: every top-level section and the options record it binds to. A new
/// section must be added here, or start-up rejects it as unknown.
/// </summary>
internal static class HarrierSchema
{
    /// <summary>A fresh schema (the instance is mutable; do not share it across reloads that add sections).</summary>
    public static ConfigurationSchema Create() => new ConfigurationSchema()
        .Section("Serilog", null)                       // Serilog.Settings.Configuration's own format
        .Section<ProbeOptions>("Probes")
        .Section<RulesOptions>(RulesOptions.SectionName)
        .Section<EnrichmentOptions>(EnrichmentOptions.SectionName)
        .Section("Outputs", null)                       // OutputsOptions.Bind reports its own unknown keys (sink settings are open-ended)
        .Section<EnforcementOptions>(EnforcementOptions.SectionName);
}
