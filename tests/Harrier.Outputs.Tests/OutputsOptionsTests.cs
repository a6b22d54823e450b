using Harrier.Events;
using Harrier.Outputs.Formatting;
using Harrier.Outputs.Kafka;
using Harrier.Outputs.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Outputs.Tests;

public sealed class OutputsOptionsTests
{
    private static IConfigurationSection Section(Dictionary<string, string?> values)
        => new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Outputs");

    [Fact]
    public void Bind_FullConfiguration_ReadsEveryKey()
    {
        KafkaSinks.Register();
        using var dir = new TempDir();
        OutputsOptions o = OutputsOptions.Bind(Section(new()
        {
            ["Outputs:Spool:Directory"] = dir.Path,
            ["Outputs:Spool:Fsync"] = "always",
            ["Outputs:Spool:Overflow"] = "drop-newest",
            ["Outputs:Spool:MaxBytes"] = "104857600",
            ["Outputs:Sinks:0:Name"] = "console",
            ["Outputs:Sinks:0:Type"] = "console",
            ["Outputs:Sinks:1:Name"] = "siem",
            ["Outputs:Sinks:1:Type"] = "kafka",
            ["Outputs:Sinks:1:Format"] = "ocsf",
            ["Outputs:Sinks:1:FlatKeys"] = "true",
            ["Outputs:Sinks:1:MinimumPriority"] = "warning",
            ["Outputs:Sinks:1:BootstrapServers"] = "kafka-1:9093,kafka-2:9093",
            ["Outputs:Sinks:1:Key"] = "rule",
            ["Outputs:Sinks:1:Properties:security.protocol"] = "SASL_SSL",
            ["Outputs:Sinks:1:Properties:sasl.mechanism"] = "SCRAM-SHA-512",
            ["Outputs:Sinks:1:RateLimit:PerRulePerSecond"] = "5",
            ["Outputs:Sinks:1:RateLimit:Burst"] = "10",
        }));

        Assert.Empty(o.Validate());
        Assert.Equal(FsyncPolicy.Always, o.Spool.Fsync);
        Assert.Equal(OverflowPolicy.DropNewest, o.Spool.Overflow);
        Assert.Equal(AlertFormat.Text, o.Sinks[0].Format);
        SinkOptions k = o.Sinks[1];
        Assert.Equal(AlertFormat.Ocsf, k.Format);
        Assert.True(k.FlatKeys);
        Assert.Equal(Priority.Warning, k.MinimumPriority);
        Assert.Equal(2000, k.BatchSize);
        Assert.Equal(10, k.RateLimit!.Burst);
        KafkaSinkSettings ks = KafkaSinkSettings.Parse(k);
        Assert.Equal("rule", ks.Key);
        Confluent.Kafka.ProducerConfig pc = ks.ToProducerConfig("x");
        Assert.True(pc.EnableIdempotence);
        Assert.Equal(Confluent.Kafka.Acks.All, pc.Acks);
        Assert.Equal("SASL_SSL", pc.Get("security.protocol"));
        Assert.Equal("SCRAM-SHA-512", pc.Get("sasl.mechanism"));
        Assert.Equal("kafka-1:9093,kafka-2:9093", pc.BootstrapServers);
    }

    [Fact]
    public void Validate_ManyProblems_ListsEveryOne()
    {
        KafkaSinks.Register();
        using var dir = new TempDir();
        string notADir = Path.Combine(dir.Path, "file");
        File.WriteAllText(notADir, "x");
        OutputsOptions o = OutputsOptions.Bind(Section(new()
        {
            ["Outputs:Spool:Directory"] = Path.Combine(notADir, "spool"),
            ["Outputs:Spool:Fsync"] = "sometimes",
            ["Outputs:Bogus"] = "1",
            ["Outputs:Sinks:0:Name"] = "a",
            ["Outputs:Sinks:0:Type"] = "kafak",
            ["Outputs:Sinks:1:Name"] = "k",
            ["Outputs:Sinks:1:Type"] = "kafka",
            ["Outputs:Sinks:1:BootstrapServers"] = "broker-without-port,ok:9092,bad:99999",
            ["Outputs:Sinks:1:Topic"] = "bad topic!",
            ["Outputs:Sinks:1:Properties:enable.idempotence"] = "false",
            ["Outputs:Sinks:1:Colour"] = "blue",
            ["Outputs:Sinks:2:Name"] = "k",
            ["Outputs:Sinks:2:Type"] = "file",
            ["Outputs:Sinks:2:MinimumPriority"] = "loud",
            ["Outputs:Sinks:2:QueueCapacity"] = "many",
        }));

        IReadOnlyList<string> errors = o.Validate();
        string all = string.Join("\n", errors);
        Assert.Contains("Outputs:Bogus: unknown key", all, StringComparison.Ordinal);
        Assert.Contains("Fsync 'sometimes' is unknown", all, StringComparison.Ordinal);
        Assert.Contains("Type 'kafak' is unknown (known: console, file, kafka", all, StringComparison.Ordinal);
        Assert.Contains("BootstrapServers entry 'broker-without-port' is not host:port", all, StringComparison.Ordinal);
        Assert.Contains("BootstrapServers entry 'bad:99999'", all, StringComparison.Ordinal);
        Assert.DoesNotContain("'ok:9092'", all, StringComparison.Ordinal);
        Assert.Contains("Topic 'bad topic!' is not a legal Kafka topic name", all, StringComparison.Ordinal);
        Assert.Contains("Properties:enable.idempotence cannot be overridden", all, StringComparison.Ordinal);
        Assert.Contains("Colour: unknown key for a kafka sink", all, StringComparison.Ordinal);
        Assert.Contains("Name 'k' is used by another sink", all, StringComparison.Ordinal);
        Assert.Contains("MinimumPriority 'loud' is not a Falco priority", all, StringComparison.Ordinal);
        Assert.Contains("QueueCapacity 'many' is not an integer", all, StringComparison.Ordinal);
        Assert.Contains("Path is required for a file sink", all, StringComparison.Ordinal);
        Assert.Contains("Outputs:Spool:Directory", all, StringComparison.Ordinal);
        Assert.Contains("is not writable", all, StringComparison.Ordinal);

        OutputsConfigurationException e = Assert.Throws<OutputsConfigurationException>(() => AlertDispatcher.Create(o, NullLoggerFactory.Instance));
        Assert.Equal(errors.Count, e.Errors.Count);
        Assert.Contains("kafak", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_RepositoryAppsettings_OutputsSectionIsValid()
    {
        KafkaSinks.Register();
        string path = Path.Combine(AppContext.BaseDirectory, "../../../../../appsettings.json");
        Assert.True(File.Exists(path), path);
        IConfigurationRoot config = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path)).Build();
        OutputsOptions o = OutputsOptions.Bind(config.GetSection("Outputs"));
        o = o with { Spool = o.Spool with { Directory = Path.Combine(Path.GetTempPath(), "harrier-appsettings-spool-check") } };
        Assert.Empty(o.Validate());
        Assert.NotEmpty(o.Sinks);
    }

    [Fact]
    public void Create_UnknownLibrdkafkaProperty_RejectedAtStartNamingIt()
    {
        KafkaSinks.Register();
        using var dir = new TempDir();
        var o = new OutputsOptions
        {
            Spool = new SpoolOptions { Directory = dir.Path },
            Sinks =
            [
                new SinkOptions
                {
                    Name = "k",
                    Type = "kafka",
                    Settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
                    {
                        ["BootstrapServers"] = "127.0.0.1:9",
                        ["Properties:no.such.property"] = "1",
                    },
                },
            ],
        };
        Assert.Empty(o.Validate());
        OutputsConfigurationException e = Assert.Throws<OutputsConfigurationException>(() => AlertDispatcher.Create(o, NullLoggerFactory.Instance));
        Assert.Contains("Outputs:Sinks:0 (k): cannot start", e.Message, StringComparison.Ordinal);
        Assert.Contains("no.such.property", e.Message, StringComparison.Ordinal);
    }
}
