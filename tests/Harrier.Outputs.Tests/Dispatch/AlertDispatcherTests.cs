using System.Collections.Concurrent;
using Harrier.Events;
using Harrier.Outputs.Spool;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Outputs.Tests.Dispatch;

public sealed class AlertDispatcherTests
{
    private static readonly ConcurrentDictionary<string, IAlertSink> s_instances = new();

    static AlertDispatcherTests()
    {
        // Test-only sink type: the instance to use is looked up by sink name.
        SinkFactories.Register("test", spoolByDefault: false, (_, _) => [], c => s_instances[c.Options.Name]);
    }

    private static SinkOptions Sink(string name, IAlertSink instance, int capacity = 10_000, Priority min = Priority.Debug, RateLimitOptions? rate = null, bool spool = false, int retries = 3)
    {
        s_instances[name] = instance;
        return new SinkOptions { Name = name, Type = "test", QueueCapacity = capacity, MinimumPriority = min, RateLimit = rate, Spool = spool, MaxRetries = retries, BatchSize = 256 };
    }

    private static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Publish_DeadSinkBesideHealthySink_NeverBlocksAndHealthySinkGetsEverything()
    {
        var fast = new RecordingSink(UniqueName("fast"));
        var dead = new BlockedSink(UniqueName("dead"));
        AlertDispatcher d = AlertDispatcher.Create(
            new OutputsOptions { Sinks = [Sink(fast.Name, fast, capacity: 50_000), Sink(dead.Name, dead, capacity: 1000)] },
            NullLoggerFactory.Instance);
        const int N = 50_000;

        // If Publish waited on the dead sink this task would never finish.
        Task publishing = Task.Run(() =>
        {
            for (int i = 0; i < N; i++)
            {
                d.Publish(TestAlerts.Make(i));
            }
        });
        await publishing.WaitAsync(TimeSpan.FromSeconds(60));
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => fast.Received.Count == N, TimeSpan.FromSeconds(30), "fast sink");

        SinkStats deadStats = d.Stats[1];
        Assert.True(deadStats.Dropped >= N - 1000 - 256, $"dropped {deadStats.Dropped}");
        Assert.Equal(N, deadStats.Dropped + deadStats.Pending);
        Assert.Equal(N, d.Stats[0].Sent);
        Assert.Equal(0, d.Stats[0].Dropped);
        Assert.Equal(Enumerable.Range(0, N).Select(i => TestAlerts.UuidFor(i)), fast.Received.Select(a => a.Uuid));

        await d.StopAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(N, d.Stats[1].Dropped); // what the dead sink held at stop is counted too
        Assert.False(d.Publish(TestAlerts.Make(0)));
    }

    [Fact]
    public async Task Publish_BelowMinimumPriority_FilteredPerSink()
    {
        var all = new RecordingSink(UniqueName("all"));
        var critical = new RecordingSink(UniqueName("crit"));
        AlertDispatcher d = AlertDispatcher.Create(
            new OutputsOptions { Sinks = [Sink(all.Name, all), Sink(critical.Name, critical, min: Priority.Critical)] },
            NullLoggerFactory.Instance);
        d.Publish(TestAlerts.Make(0, priority: Priority.Warning));
        d.Publish(TestAlerts.Make(1, priority: Priority.Critical));
        d.Publish(TestAlerts.Make(2, priority: Priority.Emergency));
        d.Publish(TestAlerts.Make(3, priority: Priority.Debug));
        await d.StopAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(4, all.Received.Count);
        Assert.Equal([TestAlerts.UuidFor(1), TestAlerts.UuidFor(2)], critical.Received.Select(a => a.Uuid));
        Assert.Equal(2, d.Stats[1].Filtered);
    }

    [Fact]
    public async Task Publish_RateLimitPerRule_SuppressesAndCountsThenRefills()
    {
        var time = new FakeTimeProvider();
        var sink = new RecordingSink(UniqueName("rl"));
        AlertDispatcher d = AlertDispatcher.Create(
            new OutputsOptions { Sinks = [Sink(sink.Name, sink, rate: new RateLimitOptions { PerRulePerSecond = 2, Burst = 5 })] },
            NullLoggerFactory.Instance,
            time);
        for (int i = 0; i < 20; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i, rule: "noisy")));
        }

        Assert.True(d.Publish(TestAlerts.Make(100, rule: "quiet")));
        time.Advance(TimeSpan.FromSeconds(1));
        for (int i = 20; i < 25; i++)
        {
            d.Publish(TestAlerts.Make(i, rule: "noisy"));
        }

        await d.StopAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5 + 1 + 2, sink.Received.Count);
        Assert.Equal(15 + 3, d.Stats[0].Suppressed);
        Assert.Equal(8, d.Stats[0].Sent);
    }

    [Fact]
    public async Task Emit_SinkFailsTwice_RetriedAndInternalDownUpAlertsRaised()
    {
        var flaky = new FlakySink(UniqueName("flaky"), failures: 2);
        var internals = new ConcurrentQueue<Alert>();
        AlertDispatcher d = AlertDispatcher.Create(new OutputsOptions { Sinks = [Sink(flaky.Name, flaky)] }, NullLoggerFactory.Instance);
        d.InternalAlert += internals.Enqueue;
        d.Publish(TestAlerts.Make(1));
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => flaky.Received.Any(a => a.Uuid == TestAlerts.UuidFor(1)), TimeSpan.FromSeconds(10), "retry");
        await d.StopAsync(TimeSpan.FromSeconds(10));

        Assert.Contains(internals, a => a.Rule == InternalAlerts.SinkDownRule && a.Source == "internal" && a.Output.Contains("destination unreachable", StringComparison.Ordinal));
        Assert.Contains(internals, a => a.Rule == InternalAlerts.SinkUpRule);
        Assert.Equal(0, d.Stats[0].Failed);
        Assert.True(d.Stats[0].Healthy);
    }

    [Fact]
    public async Task Emit_RetriesExhausted_CountedAsFailed()
    {
        var flaky = new FlakySink(UniqueName("broken"), failures: int.MaxValue);
        AlertDispatcher d = AlertDispatcher.Create(new OutputsOptions { Sinks = [Sink(flaky.Name, flaky, retries: 1)] }, NullLoggerFactory.Instance);
        d.Publish(TestAlerts.Make(1));
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Failed > 0, TimeSpan.FromSeconds(10), "give up");
        await d.StopAsync(TimeSpan.FromSeconds(1));
        Assert.True(d.Stats[0].Failed >= 1);
        Assert.False(d.Stats[0].Healthy);
    }

    [Fact]
    public async Task Publish_SpooledSinkDownUntilRestart_DeliveredByNextDispatcher()
    {
        using var dir = new TempDir();
        string name = UniqueName("spooled");
        var dead = new BlockedSink(name);
        var spoolOptions = new SpoolOptions { Directory = dir.Path, Fsync = FsyncPolicy.Always };
        AlertDispatcher first = AlertDispatcher.Create(new OutputsOptions { Spool = spoolOptions, Sinks = [Sink(name, dead, spool: true)] }, NullLoggerFactory.Instance);
        for (int i = 0; i < 500; i++)
        {
            Assert.True(first.Publish(TestAlerts.Make(i)));
        }

        Assert.Equal(500, first.Stats[0].Spooled);
        await first.StopAsync(TimeSpan.FromMilliseconds(100));

        var live = new RecordingSink(name);
        AlertDispatcher second = AlertDispatcher.Create(new OutputsOptions { Spool = spoolOptions, Sinks = [Sink(name, live, spool: true)] }, NullLoggerFactory.Instance);
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => live.Received.Count >= 500, TimeSpan.FromSeconds(10), "redelivery");
        await second.StopAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => TestAlerts.UuidFor(i)), live.Received.Select(a => a.Uuid));
        Assert.Equal(0, second.Stats[0].Pending);
    }

    [Fact]
    public async Task RaiseInternal_DuringStopDrain_SpooledForNextStartNotDropped()
    {
        using var dir = new TempDir();
        string name = UniqueName("closing");
        var closing = new CallbackOnDisposeSink(name);
        var spoolOptions = new SpoolOptions { Directory = dir.Path, Fsync = FsyncPolicy.Always };
        AlertDispatcher d = AlertDispatcher.Create(new OutputsOptions { Spool = spoolOptions, Sinks = [Sink(name, closing, spool: true)] }, NullLoggerFactory.Instance);
        closing.OnDispose = () => d.RaiseInternal(InternalAlerts.SinkDown(name, "all brokers down", TimeProvider.System));
        Assert.True(d.Publish(TestAlerts.Make(0)));

        await d.StopAsync(TimeSpan.FromMilliseconds(100));

        Assert.Equal(2, d.Stats[0].Spooled);
        Assert.Equal(2, d.Stats[0].Pending);
        Assert.Equal(0, d.Stats[0].Dropped);
        d.RaiseInternal(InternalAlerts.SinkUp(name, TimeProvider.System)); // after the stop: only the event, no sink
        Assert.Equal(2, d.Stats[0].Spooled);

        var live = new RecordingSink(name);
        AlertDispatcher next = AlertDispatcher.Create(new OutputsOptions { Spool = spoolOptions, Sinks = [Sink(name, live, spool: true)] }, NullLoggerFactory.Instance);
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => live.Received.Count >= 2, TimeSpan.FromSeconds(10), "redelivery");
        await next.StopAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([TestAlerts.Make(0).Rule, InternalAlerts.SinkDownRule], live.Received.Select(a => a.Rule));
    }

    [Fact]
    public async Task StopAsync_TenThousandQueuedForSlowSpooledSink_EachDeliveredOrSpooledThenDeliveredByNextStart()
    {
        const int N = 10_000;
        using var dir = new TempDir();
        string name = UniqueName("slow");
        var slow = new SlowRecordingSink(name, TimeSpan.FromMilliseconds(20));
        var spoolOptions = new SpoolOptions { Directory = dir.Path, Fsync = FsyncPolicy.Interval };
        AlertDispatcher d = AlertDispatcher.Create(new OutputsOptions { Spool = spoolOptions, Sinks = [Sink(name, slow, spool: true)] }, NullLoggerFactory.Instance);
        for (int i = 0; i < N; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i)));
        }

        // All 10,000 wait when the stop begins; the drain is bounded, and a sink taking 20 ms per 256-alert batch
        // needs 800 ms for them, far more than the 50 ms it is given.
        slow.Start();
        await d.StopAsync(TimeSpan.FromMilliseconds(50));
        SinkStats first = d.Stats[0];
        Assert.Equal(0, first.Dropped);
        Assert.True(first.Pending > 0, "the drain was meant to be cut short");
        Assert.Equal(N, first.Sent + first.Pending); // each alert delivered, or still in the spool

        var live = new RecordingSink(name);
        AlertDispatcher next = AlertDispatcher.Create(new OutputsOptions { Spool = spoolOptions, Sinks = [Sink(name, live, spool: true)] }, NullLoggerFactory.Instance);
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => next.Stats[0].Pending == 0, TimeSpan.FromSeconds(30), "spool drained");
        await next.StopAsync(TimeSpan.FromSeconds(5));
        var delivered = slow.Received.Select(a => a.Uuid).Concat(live.Received.Select(a => a.Uuid)).ToHashSet();
        Assert.Equal(N, delivered.Count); // at-least-once: a batch cut mid-emit may come twice, none is missing
        Assert.True(live.Received.Count >= first.Pending);
    }

    [Fact]
    public async Task Publish_SpoolNearFull_RaisesInternalAlert()
    {
        using var dir = new TempDir();
        string name = UniqueName("nearfull");
        var dead = new BlockedSink(name);
        var internals = new ConcurrentQueue<Alert>();
        var options = new OutputsOptions
        {
            Spool = new SpoolOptions { Directory = dir.Path, SegmentBytes = 8192, MaxBytes = 65536, NearFullPercent = 50, Fsync = FsyncPolicy.Never },
            Sinks = [Sink(name, dead, spool: true)],
        };
        AlertDispatcher d = AlertDispatcher.Create(options, NullLoggerFactory.Instance);
        d.InternalAlert += internals.Enqueue;
        for (int i = 0; i < 400; i++)
        {
            d.Publish(TestAlerts.Make(i));
        }

        await d.StopAsync(TimeSpan.FromMilliseconds(100));
        Assert.Contains(internals, a => a.Rule == InternalAlerts.SpoolNearFullRule);
        Assert.Contains(internals, a => a.Rule == InternalAlerts.SpoolOverflowRule);
        Assert.True(d.Stats[0].Dropped > 0);
    }

    [Fact]
    public async Task Publish_SpoolRefillsWithoutNewDrops_NoSecondOverflowAlertUntilDropsResume()
    {
        using var dir = new TempDir();
        string name = UniqueName("refill");
        var gated = new GatedSink(name);
        var internals = new ConcurrentQueue<Alert>();
        var options = new OutputsOptions
        {
            Spool = new SpoolOptions { Directory = dir.Path, SegmentBytes = 8192, MaxBytes = 65536, NearFullPercent = 50, Fsync = FsyncPolicy.Never, Overflow = OverflowPolicy.DropOldest },
            Sinks = [Sink(name, gated, spool: true)],
        };
        AlertDispatcher d = AlertDispatcher.Create(options, NullLoggerFactory.Instance);
        d.InternalAlert += internals.Enqueue;
        int Overflows() => internals.Count(a => a.Rule == InternalAlerts.SpoolOverflowRule);
        int next = 0;

        // 1. the destination is down: the spool fills and drops its oldest alerts, reported once
        while (d.Stats[0].Dropped == 0)
        {
            d.Publish(TestAlerts.Make(next++));
        }

        Assert.Equal(1, Overflows());

        // 2. it returns and everything is delivered: the level falls back
        gated.Open();
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => d.Stats[0].Pending == 0 && d.Stats[0].SpoolBytes < 16384, TimeSpan.FromSeconds(10), "drained");
        gated.Close();

        // 3. down again, filled past near-full without a drop: near-full is news, an overflow is not
        long dropped = d.Stats[0].Dropped;
        while (d.Stats[0].SpoolBytes < 65536 * 6 / 10)
        {
            d.Publish(TestAlerts.Make(next++));
        }

        Assert.Equal(dropped, d.Stats[0].Dropped);
        Assert.Equal(1, Overflows());
        Assert.Equal(2, internals.Count(a => a.Rule == InternalAlerts.SpoolNearFullRule));

        // 4. new drops: reported again
        while (d.Stats[0].Dropped == dropped)
        {
            d.Publish(TestAlerts.Make(next++));
        }

        Assert.Equal(2, Overflows());
        gated.Open();
        await d.StopAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void EventLoss_Build_IsInternalCriticalWithTypedFields()
    {
        Alert a = InternalAlerts.EventLoss(1234, "ringbuf", new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_795_593_600)), "h1");
        Assert.Equal("internal", a.Source);
        Assert.Equal(Priority.Critical, a.Priority);
        Assert.Equal(1_795_593_600_000_000_000L, a.TimeNs);
        Assert.Equal(1234L, a.OutputFields.Single(f => f.Key == "evt.lost").Value);
        Assert.Equal("h1", a.Hostname);
    }

    [Fact]
    public async Task Publish_FourThreadsIntoSpooledSink_EveryAlertDeliveredOnceInPerThreadOrder()
    {
        using var dir = new TempDir();
        string name = UniqueName("concurrent");
        var sink = new RecordingSink(name);
        var options = new OutputsOptions
        {
            Spool = new SpoolOptions { Directory = dir.Path, SegmentBytes = 64 << 10, MaxBytes = 512L << 20, Fsync = FsyncPolicy.Never },
            Sinks = [Sink(name, sink, spool: true)],
        };
        AlertDispatcher d = AlertDispatcher.Create(options, NullLoggerFactory.Instance);
        const int PerThread = 5000;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                Assert.True(d.Publish(TestAlerts.Make(i, host: "t" + t, run: t)));
            }
        })));
        await Harrier.Outputs.Tests.Kafka.KafkaTestSupport.WaitUntilAsync(() => sink.Received.Count >= 4 * PerThread, TimeSpan.FromSeconds(30), "delivery");
        await d.StopAsync(TimeSpan.FromSeconds(5));

        Alert[] got = sink.Received.ToArray();
        Assert.Equal(4 * PerThread, got.Length);
        Assert.Equal(4 * PerThread, got.Select(a => a.Uuid).Distinct().Count());
        foreach (IGrouping<string, Alert> byThread in got.GroupBy(a => a.Hostname))
        {
            Assert.Equal(Enumerable.Range(0, PerThread).Select(i => (long)i), byThread.Select(a => (long)a.OutputFields.Single(f => f.Key == "seq").Value!));
        }

        // Everything delivered was committed: the spool holds one empty-ish segment.
        Assert.Equal(0, d.Stats[0].Pending);
        Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, name), "*.seg"));
    }
}
