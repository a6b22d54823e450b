using Harrier.Host.Metrics;
using Harrier.Outputs;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Host.Tests.Metrics;

public sealed class HealthEvaluatorTests
{
    private readonly FakeTimeProvider _time = new();
    private long? _lastPid = 100;

    private HealthEvaluator Make() => new(new MetricsOptions { EventsWithinSeconds = 10, SinkFailureSeconds = 30 }, _time, () => _lastPid);

    private static EngineSnapshot Snap(long events, params SinkStats[] sinks) =>
        new() { ProbesAttached = true, RulesLoaded = true, EventsReceived = events, Sinks = sinks };

    private static SinkStats Sink(string name, bool healthy) => new(name, "kafka", 0, 0, 0, 0, 0, 0, 0, 0, healthy);

    [Fact]
    public void Check_EventsFlowing_Healthy()
    {
        var h = Make();
        Assert.Null(h.Check(Snap(1)));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(h.Check(Snap(50)));
    }

    [Fact]
    public void Check_ProbesDetached_Unhealthy()
    {
        var h = Make();
        Assert.Equal("probes are not attached", h.Check(Snap(1) with { ProbesAttached = false }));
    }

    [Fact]
    public void Check_NoEventsButNewProcesses_UnhealthyNamingTheStall()
    {
        var h = Make();
        Assert.Null(h.Check(Snap(7)));
        _lastPid = 250;
        _time.Advance(TimeSpan.FromSeconds(11));
        string? reason = h.Check(Snap(7));
        Assert.NotNull(reason);
        Assert.Contains("no event for 11 s", reason);
    }

    [Fact]
    public void Check_NoEventsAndNoNewProcesses_IdleHostIsHealthy()
    {
        var h = Make();
        Assert.Null(h.Check(Snap(7)));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(h.Check(Snap(7)));
    }

    [Fact]
    public void Check_SinkDownShorterThanThreshold_Healthy_ThenUnhealthyAfter()
    {
        var h = Make();
        Assert.Null(h.Check(Snap(1, Sink("kafka", false))));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(h.Check(Snap(2, Sink("kafka", false))));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Contains("sink 'kafka' failing", h.Check(Snap(3, Sink("kafka", false))));
        Assert.Null(h.Check(Snap(4, Sink("kafka", true))));
    }
}
