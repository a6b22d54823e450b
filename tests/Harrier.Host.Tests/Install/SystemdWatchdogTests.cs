using Harrier.Host.Install;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Host.Tests.Install;

public sealed class SystemdWatchdogTests
{
    private sealed class RecordingNotifier(bool enabled) : ISystemdNotifier
    {
        private int _count;

        public bool IsEnabled => enabled;

        public int Count => Volatile.Read(ref _count);

        public List<string> States { get; } = new();

        public void Notify(ServiceState state)
        {
            lock (States)
            {
                States.Add(state.ToString());
            }

            Interlocked.Increment(ref _count);
        }
    }

    [Theory]
    [InlineData("30000000", null, 100, 15.0)]
    [InlineData("30000000", "100", 100, 15.0)]
    [InlineData("30000000", "101", 100, null)]
    [InlineData(null, null, 100, null)]
    [InlineData("0", null, 100, null)]
    [InlineData("junk", null, 100, null)]
    public void Interval_FromEnvironment_IsHalfOrOff(string? usec, string? pid, int self, double? seconds)
    {
        Assert.Equal(seconds, SystemdWatchdog.Interval(usec, pid, self)?.TotalSeconds);
    }

    [Fact]
    public async Task Execute_Healthy_PingsEveryHalfInterval()
    {
        var time = new FakeTimeProvider();
        var notifier = new RecordingNotifier(enabled: true);
        bool healthy = true;
        using var watchdog = new SystemdWatchdog(notifier, time, NullLogger.Instance, () => healthy, "10000000", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await watchdog.StartAsync(CancellationToken.None);
        Assert.True(SpinWait.SpinUntil(() => notifier.Count == 1, TimeSpan.FromSeconds(10)));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(SpinWait.SpinUntil(() => notifier.Count == 2, TimeSpan.FromSeconds(10)));

        healthy = false;
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(SpinWait.SpinUntil(() => watchdog.Withheld == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(2, notifier.Count);

        await watchdog.StopAsync(CancellationToken.None);
        Assert.All(notifier.States, s => Assert.Equal("WATCHDOG=1", s));
    }

    [Fact]
    public async Task Execute_NotifierDisabled_DoesNothing()
    {
        var notifier = new RecordingNotifier(enabled: false);
        using var watchdog = new SystemdWatchdog(notifier, new FakeTimeProvider(), NullLogger.Instance, null, "10000000", null);

        await watchdog.StartAsync(CancellationToken.None);
        await watchdog.ExecuteTask!;

        Assert.Null(watchdog.PingInterval);
        Assert.Equal(0, notifier.Count);
    }

    [Fact]
    public async Task Execute_NoNotifier_DoesNothing()
    {
        using var watchdog = new SystemdWatchdog(null, new FakeTimeProvider(), NullLogger.Instance, null, "10000000", null);

        await watchdog.StartAsync(CancellationToken.None);
        await watchdog.ExecuteTask!;

        Assert.Null(watchdog.PingInterval);
        Assert.Equal(0, watchdog.Pings);
    }
}
