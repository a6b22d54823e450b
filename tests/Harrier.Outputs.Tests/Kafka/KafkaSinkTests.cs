using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Harrier.Events;
using Harrier.Outputs.Formatting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Outputs.Tests.Kafka;

/// <summary>The Kafka sink against librdkafka's mock cluster on loopback.</summary>
public sealed class KafkaSinkTests
{
    [Theory]
    [InlineData(AlertFormat.Falco, "hostname", false)]
    [InlineData(AlertFormat.Ocsf, "rule", false)]
    [InlineData(AlertFormat.Ecs, "hostname", true)]
    public async Task EmitAsync_EachFormat_ArrivesWithExactValueKeyAndHeaders(AlertFormat format, string keyMode, bool flat)
    {
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        string topic = "alerts-" + format.ToString().ToLowerInvariant();
        cluster.CreateTopic(topic, 1);
        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, topic, format, keyMode, flat), NullLoggerFactory.Instance);
        Alert[] alerts = [TestAlerts.Make(1, host: "web-1"), TestAlerts.Make(2, host: "web-2", priority: Priority.Critical, rule: "Terminal shell in container")];
        foreach (Alert a in alerts)
        {
            Assert.True(d.Publish(a));
        }

        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(cluster.Bootstraps, topic, 1, r => r.Count(m => !KafkaTestSupport.IsInternal(m)) >= 2, TimeSpan.FromSeconds(30));
        await d.StopAsync(TimeSpan.FromSeconds(10));

        got = got.Where(m => !KafkaTestSupport.IsInternal(m)).ToList();
        Assert.Equal(2, got.Count);
        for (int i = 0; i < alerts.Length; i++)
        {
            Alert a = alerts[i];
            ConsumeResult<byte[], byte[]> m = got[i];
            Assert.Equal(AlertFormatter.ToText(a, format, flat), Encoding.UTF8.GetString(m.Message.Value));
            Assert.Equal(keyMode == "rule" ? a.Rule : a.Hostname, Encoding.UTF8.GetString(m.Message.Key));
            Assert.Equal(a.Rule, KafkaTestSupport.Header(m, "rule"));
            Assert.Equal(Priorities.Name(a.Priority), KafkaTestSupport.Header(m, "priority"));
            Assert.Equal(a.Uuid.ToString("D"), KafkaTestSupport.Header(m, "uuid"));
            Assert.Equal(a.TimeNs / 1_000_000, m.Message.Timestamp.UnixTimestampMs);
            using JsonDocument doc = JsonDocument.Parse(m.Message.Value);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        }

        SinkStats s = d.Stats.Single();
        Assert.True(s.Sent >= 2);
        Assert.Equal(0, s.Failed);
        Assert.Equal(0, s.Dropped);
    }
}
