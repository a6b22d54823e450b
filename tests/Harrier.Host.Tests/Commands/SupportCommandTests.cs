using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Harrier.Host.Commands;
using Microsoft.Extensions.Configuration;

namespace Harrier.Host.Tests.Commands;

public sealed class SupportCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("https://svc:hunter2@schema-registry:8081/x", "https://svc:***@schema-registry:8081/x")]
    [InlineData("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"svc\" password=\"hunter2\";", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"svc\" password=***;")]
    [InlineData("Host=db;Pwd=hunter2;User=svc", "Host=db;Pwd=***;User=svc")]
    [InlineData("token: hunter2", "token: ***")]
    [InlineData("127.0.0.1:9092,broker-2:9092", "127.0.0.1:9092,broker-2:9092")]
    [InlineData("/var/lib/harrier/spool", "/var/lib/harrier/spool")]
    [InlineData("https://schema-registry:8081/x", "https://schema-registry:8081/x")]
    public void RedactValue_InlineCredentials_MaskedOtherTextKept(string value, string expected)
    {
        Assert.Equal(expected, SupportCommand.RedactValue(value));
    }

    [Fact]
    public void Run_WithConfig_OneJsonDocumentSecretsRedactedRuleFilesHashed()
    {
        string rules = _dir.Write("rules/a.yaml", "- rule: a\n  desc: a\n  condition: evt.type = openat\n  output: a\n  priority: NOTICE\n");
        string config = _dir.Write("appsettings.json", $$"""
            {
              "Rules": { "Paths": [ "{{_dir.Combine("rules")}}" ] },
              "Outputs": { "Sinks": [ { "Name": "siem", "Type": "kafka", "BootstrapServers": "127.0.0.1:1", "Topic": "t",
                                        "Properties": { "sasl.password": "hunter2", "sasl.username": "svc" } } ],
                           "Spool": { "Directory": "{{_dir.Combine("spool")}}" } },
              "Metrics": { "Listen": "127.0.0.1:1" }
            }
            """);
        var o = new StringWriter();
        var err = new StringWriter();

        int code = SupportCommand.Run(["--config", config], o, err);

        Assert.True(code == 0, err.ToString());
        var doc = JsonNode.Parse(o.ToString())!.AsObject();
        Assert.False(string.IsNullOrEmpty(doc["harrier_version"]!.GetValue<string>()));
        Assert.NotNull(doc["features"]);
        Assert.DoesNotContain("hunter2", o.ToString(), StringComparison.Ordinal);
        var props = doc["config"]!["Outputs"]!["Sinks"]!["0"]!["Properties"]!;
        Assert.Equal("***", props["sasl.password"]!.GetValue<string>());
        var file = doc["rule_files"]!.AsArray().Single()!;
        Assert.Equal(rules, file["path"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(rules))), file["sha256"]!.GetValue<string>());
        Assert.Equal(config, doc["config_files"]!.AsArray()[0]!["path"]!.GetValue<string>());
        Assert.Null(doc["counters"]); // nothing listens there: said so instead
        Assert.False(string.IsNullOrEmpty(doc["counters_unavailable"]!.GetValue<string>()));
    }

    [Fact]
    public void Redact_SecretLookingKeysAtAnyDepth_Masked()
    {
        var c = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outputs:Sinks:0:Properties:ssl.key.password"] = "p1",
            ["Outputs:Sinks:0:ApiKey"] = "p2",
            ["Outputs:Sinks:0:Token"] = "p3",
            ["Probes:RingBufferBytes"] = "4096",
        }).Build();

        string json = SupportCommand.Redact(c).ToJsonString();

        Assert.DoesNotContain("p1", json, StringComparison.Ordinal);
        Assert.DoesNotContain("p2", json, StringComparison.Ordinal);
        Assert.DoesNotContain("p3", json, StringComparison.Ordinal);
        Assert.Contains("\"RingBufferBytes\":\"4096\"", json, StringComparison.Ordinal);
    }
}
