using Harrier.Engine.Diagnostics;
using Harrier.Events;
using Harrier.Host.Service;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Host.Tests.Service;

public sealed class DropMonitorTests
{
    private readonly FakeTimeProvider _time = new();
    private long _received;
    private readonly Dictionary<EventType, ulong> _kernelLost = new();
    private long _userLost;

    /// <summary>One window: <paramref name="received"/> more events arrived and these more were lost.</summary>
    private ProbeStats Window(long received, ulong openatLost = 0, ulong connectLost = 0, long userLost = 0)
    {
        _received += received;
        _kernelLost[EventType.Openat] = _kernelLost.GetValueOrDefault(EventType.Openat) + openatLost;
        _kernelLost[EventType.Connect] = _kernelLost.GetValueOrDefault(EventType.Connect) + connectLost;
        _userLost += userLost;
        _time.Advance(TimeSpan.FromSeconds(1));
        return new ProbeStats
        {
            Received = _received,
            KernelLostPerType = _kernelLost.Where(kv => kv.Value > 0).ToDictionary(),
            KernelLost = _kernelLost.Values.Aggregate(0UL, (a, b) => a + b),
            UserLost = _userLost,
        };
    }

    [Fact]
    public void Defaults_AreOneTenthPercentOverOneSecond()
    {
        var o = new DropAlertOptions();

        Assert.Equal(0.001, o.AlertShare);
        Assert.Equal(1, o.WindowSeconds);
    }

    [Fact]
    public void Observe_LossAtOrBelowShare_NoAlert()
    {
        var m = new DropMonitor(new DropAlertOptions(), _time);

        Assert.Null(m.Observe(Window(100_000)));
        Assert.Null(m.Observe(Window(99_900, openatLost: 100))); // exactly 0.1 %
    }

    [Fact]
    public void Observe_LossAboveShare_AlertNamesClassesTypesAndCounts()
    {
        var m = new DropMonitor(new DropAlertOptions(), _time);
        Assert.Null(m.Observe(Window(1_000)));

        var alert = m.Observe(Window(10_000, openatLost: 30, connectLost: 5, userLost: 2));

        Assert.NotNull(alert);
        Assert.Equal(37, alert.Value.Lost);
        Assert.StartsWith("file/openat=30, network/connect=5, user-space=2 (", alert.Value.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_RepeatedLoss_RateLimitedAndCarriedIntoTheNextAlert()
    {
        var m = new DropMonitor(new DropAlertOptions { AlertIntervalSeconds = 10 }, _time);

        Assert.NotNull(m.Observe(Window(1_000, openatLost: 50)));
        int alerts = 0;
        for (int i = 0; i < 8; i++)
        {
            alerts += m.Observe(Window(1_000, openatLost: 10)) is null ? 0 : 1;
        }

        Assert.Equal(0, alerts);
        // The host calmed down, but what was lost in the rate-limited windows is still reported once the interval passed.
        Assert.Null(m.Observe(Window(1_000)));
        var late = m.Observe(Window(1_000));
        Assert.NotNull(late);
        Assert.Equal(80, late.Value.Lost);
        Assert.StartsWith("file/openat=80 ", late.Value.Where, StringComparison.Ordinal);
        Assert.Null(m.Observe(Window(1_000)));
    }

    [Fact]
    public void Observe_LossBelowShareBetweenAlerts_NotCounted()
    {
        var m = new DropMonitor(new DropAlertOptions { AlertIntervalSeconds = 0 }, _time);

        Assert.NotNull(m.Observe(Window(1_000, openatLost: 50)));
        Assert.Null(m.Observe(Window(1_000_000, openatLost: 1)));
        var next = m.Observe(Window(1_000, connectLost: 9));

        Assert.NotNull(next);
        Assert.Equal(9, next.Value.Lost);
        Assert.DoesNotContain("openat", next.Value.Where, StringComparison.Ordinal);
    }
}
