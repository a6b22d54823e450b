using Harrier.Engine.Enrichment;
using Harrier.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Harrier.Host.Tests.Configuration;

public sealed class OptionsValidationTests
{
    [Fact]
    public void Collect_ErrorsOfEveryStage_AreKeptInOrderAndNamed()
    {
        var errors = OptionsValidation.Collect(
            ("configuration", new[] { "Probes:Sizee: unknown key" }),
            ("Enrichment", new[] { "Enrichment:MaxProcesses must be between 1 and 4194304, got 0." }),
            ("Rules", new[] { "no rule files found" }),
            ("Outputs", Array.Empty<string>()));

        Assert.Equal(
            new[] { "Probes:Sizee: unknown key", "Enrichment:MaxProcesses must be between 1 and 4194304, got 0.", "Rules: no rule files found" },
            errors);
    }

    [Fact]
    public void Bind_EnrichmentSection_BindsInitOnlyRecord()
    {
        var c = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Enrichment:MaxProcesses"] = "128",
            ["Enrichment:ProcRoot"] = "/proc",
        }).Build();
        var errors = new List<string>();

        var options = OptionsValidation.Bind<EnrichmentOptions>(c, EnrichmentOptions.SectionName, errors);

        Assert.Empty(errors);
        Assert.Equal(128, options.MaxProcesses);
        Assert.Equal("/etc", options.EtcRoot); // absent keys keep their defaults
    }

    internal sealed record ListOptions
    {
        public IReadOnlyList<string> Paths { get; init; } = ["default"];

        public int[] Ports { get; init; } = [1, 2];

        public List<string> Names { get; init; } = ["n"];

        public ListOptions? Nested { get; init; } = null;

        public InnerOptions Inner { get; init; } = new();
    }

    internal sealed record InnerOptions
    {
        public IReadOnlyList<string> Items { get; init; } = ["inner-default"];
    }

    [Fact]
    public void Bind_ConfiguredLists_ReplaceTheDefaultsInsteadOfAppending()
    {
        var c = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["S:Paths:0"] = "/etc/harrier/rules",
            ["S:Ports:0"] = "9",
            ["S:Inner:Items:0"] = "x",
            ["S:Inner:Items:1"] = "y",
        }).Build();
        var errors = new List<string>();

        var options = OptionsValidation.Bind<ListOptions>(c, "S", errors);

        Assert.Empty(errors);
        Assert.Equal(new[] { "/etc/harrier/rules" }, options.Paths);
        Assert.Equal(new[] { 9 }, options.Ports);
        Assert.Equal(new[] { "n" }, options.Names); // not configured: the default stays
        Assert.Equal(new[] { "x", "y" }, options.Inner.Items);
    }

    [Fact]
    public void Bind_InstalledRulesPaths_AreExactlyTheInstalledDirectory()
    {
        var c = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rules:Paths:0"] = "/etc/harrier/rules",
        }).Build();

        var rules = OptionsValidation.Bind<Harrier.Engine.Detection.RulesOptions>(c, "Rules", new List<string>());

        Assert.Equal(new[] { "/etc/harrier/rules" }, rules.Paths);
    }

    [Fact]
    public void Bind_UnconvertibleValue_IsReportedAndDefaultsReturned()
    {
        var c = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Enrichment:MaxProcesses"] = "lots",
        }).Build();
        var errors = new List<string>();

        var options = OptionsValidation.Bind<EnrichmentOptions>(c, EnrichmentOptions.SectionName, errors);

        Assert.Single(errors);
        Assert.StartsWith("Enrichment:", errors[0], StringComparison.Ordinal);
        Assert.Equal(new EnrichmentOptions().MaxProcesses, options.MaxProcesses);
    }

    [Fact]
    public void Report_Errors_PrintsAllAndReturnsConfigExitCode()
    {
        var writer = new StringWriter();

        int code = OptionsValidation.Report(["a: x", "b: y"], writer);

        Assert.Equal(OptionsValidation.InvalidConfigurationExitCode, code);
        Assert.Equal(3, writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(0, OptionsValidation.Report([], writer));
    }
}
