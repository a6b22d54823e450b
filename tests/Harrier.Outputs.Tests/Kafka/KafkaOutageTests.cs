using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Harrier.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Outputs.Tests.Kafka;

/// <summary>Broker outages, a SIGKILLed Harrier, and injected broker errors: nothing is lost.</summary>
public sealed class KafkaOutageTests
{
    [Fact]
    public async Task Publish_BrokerDownTwentySecondsDuringTenThousandAlerts_EveryAlertArrivesOnceInOrderPerKey()
    {
        const int Warmup = 100;
        const int Total = 10_000;
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        const string Topic = "outage";
        cluster.CreateTopic(Topic, 3);
        var internals = new ConcurrentQueue<Alert>();
        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, Topic), NullLoggerFactory.Instance);
        d.InternalAlert += internals.Enqueue;
        for (int i = 0; i < Warmup; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i, host: "host-" + (i % 3))));
        }

        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Sent >= Warmup, TimeSpan.FromSeconds(30), "warm-up delivery");

        cluster.AllDown();
        var outage = Stopwatch.StartNew();
        for (int i = Warmup; i < Total; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i, host: "host-" + (i % 3))));
            if (i % 1000 == 0)
            {
                await Task.Delay(500); // spread the 10,000 alerts over the first seconds of the outage
            }
        }

        // The outage scenario lasts 20 s of real time.
        await Task.Delay(TimeSpan.FromSeconds(20) - outage.Elapsed);
        SinkStats during = d.Stats[0];
        Assert.True(during.Pending >= Total - Warmup, $"pending {during.Pending} during the outage");
        Assert.Contains(internals, a => a.Rule == InternalAlerts.SinkDownRule);
        cluster.AllUp();

        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(
            cluster.Bootstraps, Topic, 3, r => r.Count(m => !KafkaTestSupport.IsInternal(m)) >= Total, TimeSpan.FromSeconds(120));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await d.StopAsync(TimeSpan.FromSeconds(10));

        List<ConsumeResult<byte[], byte[]>> alerts = got.Where(m => !KafkaTestSupport.IsInternal(m)).ToList();
        Assert.Equal(Total, alerts.Count);
        Assert.Equal(Total, alerts.Select(m => KafkaTestSupport.Header(m, "uuid")).Distinct().Count());
        Assert.Equal(
            Enumerable.Range(0, Total).Select(i => TestAlerts.UuidFor(i).ToString("D")).Order(),
            alerts.Select(m => KafkaTestSupport.Header(m, "uuid")).Order());
        foreach (IGrouping<string, ConsumeResult<byte[], byte[]>> byKey in alerts.GroupBy(m => System.Text.Encoding.UTF8.GetString(m.Message.Key)))
        {
            long[] seqs = byKey.Select(KafkaTestSupport.Seq).ToArray();
            Assert.Equal(seqs.Order(), seqs);
        }

        Assert.Contains(internals, a => a.Rule == InternalAlerts.SinkUpRule);
        SinkStats s = d.Stats[0];
        Assert.Equal(0, s.Failed);
        Assert.Equal(0, s.Dropped);
    }

    [Fact]
    public async Task Restart_AfterSigkillDuringOutage_SpooledAlertsAreDelivered()
    {
        const int Count = 3000;
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        const string Topic = "sigkill";
        cluster.CreateTopic(Topic, 1);
        cluster.AllDown();

        await RunChildAndSigkillAsync(dir.Path, cluster.Bootstraps, Topic, Count);

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir.Path, "kafka"), "*.seg"));
        cluster.AllUp();
        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, Topic), NullLoggerFactory.Instance);
        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(
            cluster.Bootstraps, Topic, 1, r => r.Count(m => !KafkaTestSupport.IsInternal(m)) >= Count, TimeSpan.FromSeconds(60));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await d.StopAsync(TimeSpan.FromSeconds(10));

        string[] uuids = got.Where(m => !KafkaTestSupport.IsInternal(m)).Select(m => KafkaTestSupport.Header(m, "uuid")).ToArray();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => TestAlerts.UuidFor(i).ToString("D")), uuids);
    }

    [Fact]
    public async Task Emit_RetriableBrokerErrors_RetriedByProducerDeliveredExactlyOnce()
    {
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        const string Topic = "retriable";
        cluster.CreateTopic(Topic, 1);
        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, Topic), NullLoggerFactory.Instance);
        Assert.True(d.Publish(TestAlerts.Make(0)));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Sent >= 1, TimeSpan.FromSeconds(30), "first delivery");

        cluster.PushProduceErrors(ErrorCode.NotEnoughReplicas, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicasAfterAppend);
        for (int i = 1; i <= 50; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i)));
        }

        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(cluster.Bootstraps, Topic, 1, r => r.Count(m => !KafkaTestSupport.IsInternal(m)) >= 51, TimeSpan.FromSeconds(60));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await d.StopAsync(TimeSpan.FromSeconds(10));

        string[] uuids = got.Where(m => !KafkaTestSupport.IsInternal(m)).Select(m => KafkaTestSupport.Header(m, "uuid")).ToArray();
        Assert.Equal(Enumerable.Range(0, 51).Select(i => TestAlerts.UuidFor(i).ToString("D")), uuids);
        Assert.Equal(0, d.Stats[0].Failed);
    }

    [Fact]
    public async Task Emit_NonRetriableBrokerError_SinkDownThenRetriedFromSpoolUntilDelivered()
    {
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        const string Topic = "authz";
        cluster.CreateTopic(Topic, 1);
        var internals = new ConcurrentQueue<Alert>();
        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, Topic), NullLoggerFactory.Instance);
        d.InternalAlert += internals.Enqueue;
        Assert.True(d.Publish(TestAlerts.Make(0)));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Sent >= 1, TimeSpan.FromSeconds(30), "first delivery");

        cluster.PushProduceErrors(ErrorCode.TopicAuthorizationFailed, ErrorCode.TopicAuthorizationFailed);
        for (int i = 1; i <= 20; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i)));
        }

        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(cluster.Bootstraps, Topic, 1, r => r.Count(m => !KafkaTestSupport.IsInternal(m)) >= 21, TimeSpan.FromSeconds(60));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await d.StopAsync(TimeSpan.FromSeconds(10));

        string[] uuids = got.Where(m => !KafkaTestSupport.IsInternal(m)).Select(m => KafkaTestSupport.Header(m, "uuid")).ToArray();
        Assert.Equal(Enumerable.Range(0, 21).Select(i => TestAlerts.UuidFor(i).ToString("D")), uuids);
        Assert.Contains(internals, a => a.Rule == InternalAlerts.SinkDownRule && a.Output.Contains("TopicAuthorizationFailed", StringComparison.Ordinal));
        Assert.Contains(internals, a => a.Rule == InternalAlerts.SinkUpRule);
        Assert.Equal(0, d.Stats[0].Failed);
    }

    [Fact]
    public async Task Emit_MessageRejectedForGood_CountedAsFailedAndOthersDelivered()
    {
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        const string Topic = "toolarge";
        cluster.CreateTopic(Topic, 1);
        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, Topic, batch: 1), NullLoggerFactory.Instance);
        Assert.True(d.Publish(TestAlerts.Make(0)));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Sent >= 1, TimeSpan.FromSeconds(30), "first delivery");

        cluster.PushProduceErrors(ErrorCode.MsgSizeTooLarge);
        Assert.True(d.Publish(TestAlerts.Make(1)));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Failed >= 1, TimeSpan.FromSeconds(30), "rejection");
        for (int i = 2; i <= 10; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i)));
        }

        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(cluster.Bootstraps, Topic, 1, r => r.Count(m => !KafkaTestSupport.IsInternal(m)) >= 10, TimeSpan.FromSeconds(60));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await d.StopAsync(TimeSpan.FromSeconds(10));

        string[] uuids = got.Where(m => !KafkaTestSupport.IsInternal(m)).Select(m => KafkaTestSupport.Header(m, "uuid")).ToArray();
        Assert.Equal(new[] { 0, 2, 3, 4, 5, 6, 7, 8, 9, 10 }.Select(i => TestAlerts.UuidFor(i).ToString("D")), uuids);
        Assert.Equal(1, d.Stats[0].Failed);
    }

    [Fact]
    public async Task StopAsync_BrokerDown_ReturnsAndLeavesAlertsSpooledForNextStart()
    {
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        const string Topic = "stopdown";
        cluster.CreateTopic(Topic, 1);
        cluster.AllDown();
        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, Topic), NullLoggerFactory.Instance);
        var internals = new ConcurrentQueue<Alert>();
        d.InternalAlert += internals.Enqueue;
        for (int i = 0; i < 100; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i)));
        }

        var sw = Stopwatch.StartNew();
        await d.StopAsync(TimeSpan.FromSeconds(1)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"stop took {sw.Elapsed}");

        // Internal alerts go to every sink, this one too: a "sink down" raised before or during the stop's drain (timing
        // decides when librdkafka reports the outage) is spooled beside the 100, never dropped.
        Assert.Equal(100 + internals.Count, d.Stats[0].Pending);
        Assert.Equal(0, d.Stats[0].Dropped);

        cluster.AllUp();
        AlertDispatcher next = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, Topic), NullLoggerFactory.Instance);
        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(cluster.Bootstraps, Topic, 1, r => r.Count(m => !KafkaTestSupport.IsInternal(m)) >= 100, TimeSpan.FromSeconds(60));
        await KafkaTestSupport.WaitUntilAsync(() => next.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await next.StopAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(
            Enumerable.Range(0, 100).Select(i => TestAlerts.UuidFor(i).ToString("D")),
            got.Where(m => !KafkaTestSupport.IsInternal(m)).Select(m => KafkaTestSupport.Header(m, "uuid")));
    }

    [Theory]
    [InlineData(ErrorCode.OutOfOrderSequenceNumber)]
    [InlineData(ErrorCode.UnknownProducerId)]
    [InlineData(ErrorCode.InvalidProducerEpoch)]
    public async Task Emit_IdempotenceStateErrors_NothingLost(ErrorCode error)
    {
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        string topic = "idemp-" + (int)error;
        cluster.CreateTopic(topic, 1);
        var internals = new ConcurrentQueue<Alert>();
        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, topic), NullLoggerFactory.Instance);
        d.InternalAlert += internals.Enqueue;
        Assert.True(d.Publish(TestAlerts.Make(0)));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Sent >= 1, TimeSpan.FromSeconds(30), "first delivery");

        cluster.PushProduceErrors(error);
        for (int i = 1; i <= 30; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i)));
        }

        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(cluster.Bootstraps, topic, 1, r => r.Count(m => !KafkaTestSupport.IsInternal(m)) >= 31, TimeSpan.FromSeconds(60));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await d.StopAsync(TimeSpan.FromSeconds(10));

        string[] uuids = got.Where(m => !KafkaTestSupport.IsInternal(m)).Select(m => KafkaTestSupport.Header(m, "uuid")).ToArray();
        // Each error is answered for one produce request; the alerts of that request are re-sent, none twice.
        Assert.Equal(Enumerable.Range(0, 31).Select(i => TestAlerts.UuidFor(i).ToString("D")), uuids);
        Assert.Equal(0, d.Stats[0].Failed);
        Assert.Equal(internals.Count(a => a.Rule == InternalAlerts.SinkDownRule), internals.Count(a => a.Rule == InternalAlerts.SinkUpRule));
    }

    [Fact]
    public async Task Emit_AlertLargerThanMessageMaxBytes_RejectedCountedOthersDelivered()
    {
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        const string Topic = "huge";
        cluster.CreateTopic(Topic, 1);
        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, Topic, batch: 1), NullLoggerFactory.Instance);
        Assert.True(d.Publish(TestAlerts.Make(0)));
        Assert.True(d.Publish(TestAlerts.Make(1) with { Output = new string('A', 3 << 20) }));
        Assert.True(d.Publish(TestAlerts.Make(2)));

        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(cluster.Bootstraps, Topic, 1, r => r.Count(m => !KafkaTestSupport.IsInternal(m)) >= 2, TimeSpan.FromSeconds(60));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await d.StopAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(
            new[] { TestAlerts.UuidFor(0), TestAlerts.UuidFor(2) }.Select(u => u.ToString("D")),
            got.Where(m => !KafkaTestSupport.IsInternal(m)).Select(m => KafkaTestSupport.Header(m, "uuid")));
        Assert.Equal(1, d.Stats[0].Failed);
    }

    [Fact]
    public async Task Restart_AfterSigkillWhileDelivering_EveryAlertArrivesAtLeastOnce()
    {
        const int Count = 20_000;
        using var cluster = new MockCluster();
        using var dir = new TempDir();
        const string Topic = "sigkill-live";
        cluster.CreateTopic(Topic, 1);
        await RunChildAndSigkillAsync(dir.Path, cluster.Bootstraps, Topic, Count);

        AlertDispatcher d = AlertDispatcher.Create(KafkaTestSupport.Options(dir.Path, cluster.Bootstraps, Topic), NullLoggerFactory.Instance);
        var distinct = new HashSet<string>();
        int seen = 0;
        List<ConsumeResult<byte[], byte[]>> got = KafkaTestSupport.Consume(
            cluster.Bootstraps,
            Topic,
            1,
            r =>
            {
                for (; seen < r.Count; seen++)
                {
                    if (!KafkaTestSupport.IsInternal(r[seen]))
                    {
                        distinct.Add(KafkaTestSupport.Header(r[seen], "uuid"));
                    }
                }

                return distinct.Count >= Count;
            },
            TimeSpan.FromSeconds(90));
        await KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await d.StopAsync(TimeSpan.FromSeconds(10));

        string[] uuids = got.Where(m => !KafkaTestSupport.IsInternal(m)).Select(m => KafkaTestSupport.Header(m, "uuid")).ToArray();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => TestAlerts.UuidFor(i).ToString("D")).Order(), uuids.Distinct().Order());

        // At-least-once: what the killed process had delivered after its last persisted commit comes again, in order.
        long[] seqs = got.Where(m => !KafkaTestSupport.IsInternal(m)).Select(KafkaTestSupport.Seq).ToArray();
        int restartAt = 1;
        while (restartAt < seqs.Length && seqs[restartAt] > seqs[restartAt - 1])
        {
            restartAt++;
        }

        Assert.Equal(seqs[..restartAt].Order(), seqs[..restartAt]);
        Assert.Equal(seqs[restartAt..].Order(), seqs[restartAt..]);

        // The commit point is persisted after every acknowledged batch: at most the batches in flight at the kill repeat.
        Assert.True(seqs.Length - Count <= 2 * 1000, $"{seqs.Length - Count} duplicates");
    }

    private static async Task RunChildAndSigkillAsync(string spoolDir, string bootstraps, string topic, int count)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { typeof(KafkaOutageTests).Assembly.Location, SpoolChild.Verb, spoolDir, bootstraps, topic, count.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        using Process child = Process.Start(psi)!;
        string? published = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal($"published {count}", published);
        child.Kill(); // SIGKILL on Linux: no shutdown code runs in the child
        await child.WaitForExitAsync();
        Assert.Equal(137, child.ExitCode);
    }
}
