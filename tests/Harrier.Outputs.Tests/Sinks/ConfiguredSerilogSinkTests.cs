using System.Text;
using Harrier.Outputs.Formatting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Outputs.Tests.Sinks;

/// <summary>Sink type <c>serilog</c>: Serilog sinks configured the Serilog.Settings.Configuration way inside an Outputs sink entry.</summary>
public sealed class ConfiguredSerilogSinkTests
{
    private static OutputsOptions FromJson(string json)
    {
        IConfigurationRoot root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        return OutputsOptions.Bind(root.GetSection("Outputs"));
    }

    private static string Json(string path, string sinkName = "File", string format = "ecs") => $$"""
        { "Outputs": { "Sinks": [ {
            "Name": "siem-file", "Type": "serilog", "Format": "{{format}}",
            "WriteTo": [ { "Name": "{{sinkName}}", "Args": { "path": "{{path}}", "outputTemplate": "{Message}{NewLine}" } } ]
        } ] } }
        """;

    [Fact]
    public async Task Publish_SerilogFileFromConfiguration_WritesEachAlertDocumentAsOneLine()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "alerts.jsonl");
        OutputsOptions o = FromJson(Json(path));
        Assert.Empty(o.Validate());
        AlertDispatcher d = AlertDispatcher.Create(o, NullLoggerFactory.Instance);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i)));
        }

        await d.StopAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(
            Enumerable.Range(0, 3).Select(i => AlertFormatter.ToText(TestAlerts.Make(i), AlertFormat.Ecs)),
            File.ReadAllLines(path));
        Assert.Equal(3, d.Stats[0].Sent);
    }

    [Fact]
    public void Create_UnknownSerilogSinkName_RejectedAtStartNamingIt()
    {
        using var dir = new TempDir();
        OutputsOptions o = FromJson(Json(Path.Combine(dir.Path, "a.jsonl"), sinkName: "Fiel"));
        OutputsConfigurationException e = Assert.Throws<OutputsConfigurationException>(() => AlertDispatcher.Create(o, NullLoggerFactory.Instance));
        Assert.Contains("Outputs:Sinks:0 (siem-file): cannot start", e.Message, StringComparison.Ordinal);
        Assert.Contains("WriteTo:0:Name 'Fiel'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SerilogSinkWithoutWriteToOrWithUnknownKey_ListsBoth()
    {
        OutputsOptions o = FromJson("""{ "Outputs": { "Sinks": [ { "Name": "s", "Type": "serilog", "Colour": "red" } ] } }""");
        string all = string.Join("\n", o.Validate());
        Assert.Contains("Outputs:Sinks:0:WriteTo must list at least one Serilog sink", all, StringComparison.Ordinal);
        Assert.Contains("Outputs:Sinks:0:Colour: unknown key for a serilog sink", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emit_SerilogSinkCannotWrite_FailureCountedNotSilent()
    {
        using var dir = new TempDir();
        string blocker = Path.Combine(dir.Path, "not-a-dir");
        File.WriteAllText(blocker, "x");
        OutputsOptions o = FromJson(Json(Path.Combine(blocker, "alerts.jsonl")));
        o = o with { Sinks = [o.Sinks[0] with { MaxRetries = 0 }] };
        AlertDispatcher d = AlertDispatcher.Create(o, NullLoggerFactory.Instance);
        Assert.True(d.Publish(TestAlerts.Make(1)));
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Failed > 0, TimeSpan.FromSeconds(10), "failure");
        await d.StopAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(0, d.Stats[0].Sent);
        Assert.False(d.Stats[0].Healthy);
    }
}
