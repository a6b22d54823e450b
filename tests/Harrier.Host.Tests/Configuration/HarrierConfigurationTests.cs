using Harrier.Host.Configuration;

namespace Harrier.Host.Tests.Configuration;

public sealed class HarrierConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ConfigurationLocations Locations(Dictionary<string, string?>? env = null) => new()
    {
        SystemConfigFile = _dir.Combine("etc", "appsettings.json"),
        DropInDirectory = _dir.Combine("etc", "conf.d"),
        ProgramDirectory = _dir.Combine("program"),
        Environment = env ?? new Dictionary<string, string?>(),
    };

    [Fact]
    public void Load_AllLayers_LaterOverridesEarlier()
    {
        _dir.Write("etc/appsettings.json", """
            {
              // comments and trailing commas are accepted, as in appsettings.json
              "Probes": { "BatchSize": 1, "PollTimeoutMs": 1, "MaxArgs": 1, "RingBufferBytes": 1, },
              "Enrichment": { "MaxProcesses": 10 }
            }
            """);
        _dir.Write("etc/conf.d/20-b.json", """{ "Probes": { "BatchSize": 3, "PollTimeoutMs": 3 } }""");
        _dir.Write("etc/conf.d/10-a.json", """{ "Probes": { "BatchSize": 2, "PollTimeoutMs": 2, "MaxArgs": 2 } }""");
        _dir.Write("etc/conf.d/ignored.txt", "not json");
        var env = new Dictionary<string, string?>
        {
            ["HARRIER__Probes__BatchSize"] = "4",
            ["harrier__Enrichment__MaxProcesses"] = "44",
            ["OTHER__Probes__BatchSize"] = "999",
        };

        var loaded = HarrierConfiguration.Load(["Probes:BatchSize=5", "Outputs:Sinks:0:Name=a=b"], null, Locations(env));
        var c = loaded.Root;

        Assert.Equal("5", c["Probes:BatchSize"]);      // -o
        Assert.Equal("44", c["Enrichment:MaxProcesses"]); // environment
        Assert.Equal("3", c["Probes:PollTimeoutMs"]);  // the later drop-in
        Assert.Equal("2", c["Probes:MaxArgs"]);        // the earlier drop-in
        Assert.Equal("1", c["Probes:RingBufferBytes"]); // the base file
        Assert.Equal("a=b", c["Outputs:Sinks:0:Name"]);
        Assert.Equal(
            new[] { _dir.Combine("etc", "appsettings.json"), _dir.Combine("etc", "conf.d", "10-a.json"), _dir.Combine("etc", "conf.d", "20-b.json") },
            loaded.Files);
    }

    [Fact]
    public void Load_ConfigPath_WinsOverSystemFile()
    {
        _dir.Write("etc/appsettings.json", """{ "Rules": { "RuleMatching": "system" } }""");
        var mine = _dir.Write("mine.json", """{ "Rules": { "RuleMatching": "mine" } }""");

        var c = HarrierConfiguration.Load([], mine, Locations()).Root;

        Assert.Equal("mine", c["Rules:RuleMatching"]);
    }

    [Fact]
    public void Load_NoSystemFile_FallsBackToProgramDirectory()
    {
        _dir.Write("program/appsettings.json", """{ "Rules": { "RuleMatching": "beside" } }""");

        var c = HarrierConfiguration.Load([], null, Locations()).Root;

        Assert.Equal("beside", c["Rules:RuleMatching"]);
    }

    [Fact]
    public void Load_NoFileBesideProgram_FallsBackToRepositoryRoot()
    {
        _dir.Write("repo/Harrier.slnx", "<Solution />");
        _dir.Write("repo/appsettings.json", """{ "Rules": { "RuleMatching": "repo" } }""");
        Directory.CreateDirectory(_dir.Combine("repo", "engine", "Harrier.Host", "bin", "Release"));
        var locations = Locations() with { ProgramDirectory = _dir.Combine("repo", "engine", "Harrier.Host", "bin", "Release") };

        var loaded = HarrierConfiguration.Load([], null, locations);

        Assert.Equal("repo", loaded.Root["Rules:RuleMatching"]);
        Assert.Equal(_dir.Combine("repo", "appsettings.json"), Assert.Single(loaded.Files));
    }

    [Fact]
    public void Load_EveryBrokenLayer_IsReportedAtOnce()
    {
        _dir.Write("etc/appsettings.json", """{ "Probes": { "BatchSize": 1 } """); // unterminated
        _dir.Write("etc/conf.d/10-dup.json", """{ "Probes": { "BatchSize": 1, "BatchSize": 2 } }""");
        _dir.Write("etc/conf.d/20-array.json", """[ 1, 2 ]""");
        _dir.Write("etc/conf.d/30-good.json", """{ "Probes": { "BatchSize": 7 } }""");

        var ex = Assert.Throws<HarrierConfigurationException>(
            () => HarrierConfiguration.Load(["noequals", "=value", "Probes::X=1", "Probes:Ok=1"], null, Locations()));

        Assert.Equal(6, ex.Errors.Count);
        Assert.Contains(ex.Errors, e => e.StartsWith(_dir.Combine("etc", "appsettings.json"), StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith(_dir.Combine("etc", "conf.d", "10-dup.json"), StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith(_dir.Combine("etc", "conf.d", "20-array.json"), StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("'noequals'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("'=value'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("'Probes::X=1'", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MissingConfigPath_IsAnError()
    {
        var ex = Assert.Throws<HarrierConfigurationException>(
            () => HarrierConfiguration.Load([], _dir.Combine("nope.json"), Locations()));

        Assert.Contains("does not exist", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoFileAnywhere_SaysWhereItLooked()
    {
        var locations = Locations() with { ProgramDirectory = _dir.Combine("program") };
        Directory.CreateDirectory(locations.ProgramDirectory);

        var ex = Assert.Throws<HarrierConfigurationException>(() => HarrierConfiguration.Load([], null, locations));

        var error = Assert.Single(ex.Errors);
        Assert.Contains(locations.SystemConfigFile, error, StringComparison.Ordinal);
        Assert.Contains("--config", error, StringComparison.Ordinal);
    }
}
