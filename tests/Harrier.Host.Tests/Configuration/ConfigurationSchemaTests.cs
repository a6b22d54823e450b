using Harrier.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Harrier.Host.Tests.Configuration;

public sealed class ConfigurationSchemaTests
{
    internal enum Mode
    {
        Monitor,
        Enforce,
    }

    internal sealed record SinkOptions
    {
        public string Name { get; init; } = string.Empty;

        public int BatchSize { get; init; } = 10;
    }

    internal sealed record StageOptions
    {
        public int Size { get; init; } = 1;

        public bool Enabled { get; init; } = true;

        public Mode Mode { get; init; }

        public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

        public IReadOnlyList<string> Paths { get; init; } = Array.Empty<string>();

        public IReadOnlyList<SinkOptions> Sinks { get; init; } = Array.Empty<SinkOptions>();

        public Dictionary<string, string> Labels { get; init; } = new();

        public string? Optional { get; init; }

        public int? MaybeCount { get; init; }
    }

    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static ConfigurationSchema Schema() => new ConfigurationSchema().Section<StageOptions>("Stage").Section("Serilog", null);

    [Fact]
    public void Check_ValidConfiguration_HasNoErrors()
    {
        var c = Config(
            ("Stage:Size", "5"), ("Stage:enabled", "false"), ("Stage:Mode", "enforce"), ("Stage:Interval", "00:00:05"),
            ("Stage:Paths:0", "a"), ("Stage:Paths:1", "b"), ("Stage:Sinks:0:Name", "k"), ("Stage:Sinks:0:BatchSize", "3"),
            ("Stage:Labels:team", "sec"), ("Stage:Optional", ""), ("Stage:MaybeCount", ""),
            ("Serilog:WriteTo:0:Name", "Console"), ("Serilog:Anything:Goes", "x"));

        var errors = Schema().Check(c);

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void Check_EveryProblem_IsReportedAtOnceWithItsKey()
    {
        var c = Config(
            ("Stage:Size", "big"),
            ("Stage:Enabled", "yes-please"),
            ("Stage:Mode", "loud"),
            ("Stage:Sizee", "1"),
            ("Stage:Paths", "notalist"),
            ("Stage:Sinks:0:Nmae", "typo"),
            ("Stage:Sinks:x:Name", "badindex"),
            ("Stage:Size:Nested", "1"),
            ("Probes:BatchSize", "1"));

        var errors = Schema().Check(c);

        Assert.Contains(errors, e => e.StartsWith("Stage:Size: 'big' is not a valid integer", StringComparison.Ordinal) || e.StartsWith("Stage:Size: expected a single", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Stage:Enabled: 'yes-please' is not a valid boolean", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Stage:Mode: 'loud'", StringComparison.Ordinal) && e.Contains("Monitor, Enforce", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Stage:Sizee: unknown key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Stage:Paths: expected a list", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Stage:Sinks:0:Nmae: unknown key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Stage:Sinks:x:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Probes: unknown section", StringComparison.Ordinal));
        Assert.Equal(8, errors.Count);
    }

    [Fact]
    public void Check_EmptyValueForNumber_IsAnError()
    {
        var errors = Schema().Check(Config(("Stage:Size", "")));

        Assert.Single(errors);
    }

    [Fact]
    public void EngineSchema_RepositoryAppSettings_IsValid()
    {
        var c = new ConfigurationBuilder().AddJsonFile(RepoFiles.AppSettings).Build();

        var errors = Harrier.Host.Service.EngineSettingsLoader.Schema.Check(c);

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void EngineSchema_TyposInRealSections_AreReported()
    {
        var c = new ConfigurationBuilder().AddJsonFile(RepoFiles.AppSettings).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Enrichment:MaxProcess"] = "1",
            ["Probes:PollTimeoutMs"] = "fast",
            ["Enforcment:Mode"] = "enforce",
        }).Build();

        var errors = Harrier.Host.Service.EngineSettingsLoader.Schema.Check(c);

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Enrichment:MaxProcess: unknown key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Probes:PollTimeoutMs: 'fast'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Enforcment: unknown section", StringComparison.Ordinal));
    }
}
