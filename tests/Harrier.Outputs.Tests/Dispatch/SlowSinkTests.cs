using System.Collections.Concurrent;
using System.Diagnostics;
using Harrier.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Outputs.Tests.Dispatch;

/// <summary>A slow sink (fake: every batch takes a fixed time) next to a fast one: the pipeline does not slow down.</summary>
public sealed class SlowSinkTests
{
    private const string Type = "slow-test";
    private static readonly ConcurrentDictionary<string, IAlertSink> s_instances = new();

    static SlowSinkTests()
    {
        SinkFactories.Register(Type, spoolByDefault: false, (_, _) => [], c => s_instances[c.Options.Name]);
    }

    [Fact]
    public async Task Publish_SlowSinkBesideFastSink_PublishingTakesFarLessThanTheSlowSinkNeeds()
    {
        const int N = 20_000;
        const int SlowBatch = 16;
        TimeSpan perBatch = TimeSpan.FromMilliseconds(20);
        string id = Guid.NewGuid().ToString("N")[..8];
        var fast = new RecordingSink("fast-" + id);
        var slow = new SlowSink("slow-" + id, perBatch);
        s_instances[fast.Name] = fast;
        s_instances[slow.Name] = slow;
        AlertDispatcher d = AlertDispatcher.Create(
            new OutputsOptions
            {
                Sinks =
                [
                    new SinkOptions { Name = fast.Name, Type = Type, QueueCapacity = N, BatchSize = 512 },
                    new SinkOptions { Name = slow.Name, Type = Type, QueueCapacity = N, BatchSize = SlowBatch },
                ],
            },
            NullLoggerFactory.Instance);

        Alert[] alerts = Enumerable.Range(0, N).Select(i => TestAlerts.Make(i)).ToArray();
        var sw = Stopwatch.StartNew();
        foreach (Alert a in alerts)
        {
            Assert.True(d.Publish(a)); // both queues hold N: nothing is dropped, so the slow sink is fully loaded
        }

        TimeSpan publishing = sw.Elapsed;
        int slowAtEnd = slow.Received.Count;

        // The slow sink needs N / SlowBatch * perBatch (25 s) for these alerts; publishing them must not wait for it.
        TimeSpan slowNeeds = perBatch * (N / SlowBatch);
        Assert.True(publishing < slowNeeds / 5, $"publishing {N} alerts took {publishing.TotalMilliseconds:F0} ms beside a sink that needs {slowNeeds.TotalSeconds:F0} s");
        Assert.True(slowAtEnd < N / 2, $"the slow sink had already received {slowAtEnd} of {N}: publishing waited for it");

        // The fast sink is not held up either: it gets everything while the slow one is still far behind.
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => fast.Received.Count == N, TimeSpan.FromSeconds(30), "fast sink");
        Assert.True(slow.Received.Count < N, "the slow sink finished before the fast one");
        Assert.Equal(alerts.Select(a => a.Uuid), fast.Received.Select(a => a.Uuid));

        await d.StopAsync(TimeSpan.FromMilliseconds(100));
        SinkStats fastStats = d.Stats[0];
        SinkStats slowStats = d.Stats[1];
        Assert.Equal(N, fastStats.Sent);
        Assert.Equal(0, slowStats.Failed);
        Assert.Equal(N, slowStats.Sent + slowStats.Dropped); // what the slow sink could not deliver before stop is counted
        Assert.True(slowStats.Dropped > 0);
    }

    /// <summary>Delivers every batch after a fixed delay: a destination slower than the alert rate.</summary>
    private sealed class SlowSink(string name, TimeSpan perBatch) : IAlertSink
    {
        public string Name { get; } = name;

        public ConcurrentQueue<Alert> Received { get; } = new();

        public async ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct)
        {
            await Task.Delay(perBatch, ct);
            foreach (Alert a in batch)
            {
                Received.Enqueue(a);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
