using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Harrier.Outputs.Formatting;
using Harrier.Outputs.Kafka;
using Harrier.Outputs.Spool;

namespace Harrier.Outputs.Tests.Kafka;

/// <summary>Options and a consumer for Kafka tests against a <see cref="MockCluster"/>.</summary>
internal static class KafkaTestSupport
{
    public static OutputsOptions Options(string spoolDir, string bootstraps, string topic, AlertFormat format = AlertFormat.Falco, string key = "hostname", bool flat = false, FsyncPolicy fsync = FsyncPolicy.Interval, int batch = 1000)
    {
        KafkaSinks.Register();
        return new OutputsOptions
        {
            Spool = new SpoolOptions { Directory = spoolDir, Fsync = fsync, SegmentBytes = 1 << 20, MaxBytes = 256L << 20 },
            Sinks =
            [
                new SinkOptions
                {
                    Name = "kafka",
                    Type = KafkaSinks.Type,
                    Format = format,
                    FlatKeys = flat,
                    BatchSize = batch,
                    Settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
                    {
                        ["BootstrapServers"] = bootstraps,
                        ["Topic"] = topic,
                        ["Key"] = key,
                        ["Properties:reconnect.backoff.max.ms"] = "500",
                        ["Properties:retry.backoff.max.ms"] = "500",
                    },
                },
            ],
        };
    }

    /// <summary>Reads every partition from the beginning until <paramref name="until"/> holds or the timeout passes.</summary>
    public static List<ConsumeResult<byte[], byte[]>> Consume(string bootstraps, string topic, int partitions, Func<List<ConsumeResult<byte[], byte[]>>, bool> until, TimeSpan timeout)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstraps,
            GroupId = "harrier-test-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<ConsumeResult<byte[], byte[]>>();
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !until(results))
        {
            ConsumeResult<byte[], byte[]>? r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is { IsPartitionEOF: false, Message: not null })
            {
                results.Add(r);
            }
        }

        return results;
    }

    public static string Header(ConsumeResult<byte[], byte[]> r, string name)
        => r.Message.Headers.TryGetLastBytes(name, out byte[] b) ? Encoding.UTF8.GetString(b) : string.Empty;

    public static bool IsInternal(ConsumeResult<byte[], byte[]> r) => Header(r, "source") == InternalAlerts.Source;

    public static long Seq(ConsumeResult<byte[], byte[]> r)
    {
        using var doc = JsonDocument.Parse(r.Message.Value);
        return doc.RootElement.GetProperty("output_fields").GetProperty("seq").GetInt64();
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(20);
        }
    }
}
