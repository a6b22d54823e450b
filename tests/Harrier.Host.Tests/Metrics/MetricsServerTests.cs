using System.Net;
using System.Net.Sockets;
using Harrier.Events;
using Harrier.Host.Metrics;
using Harrier.Outputs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Host.Tests.Metrics;

/// <summary>The HTTP endpoint end to end: scrapes parsed as Prometheus text with counters moving between them, and
/// /healthz answering 503 with the reason when events stop or a sink stays down.</summary>
public sealed class MetricsServerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private EngineSnapshot _snapshot = new() { ProbesAttached = true, RulesLoaded = true };
    private long? _lastPid = 100;
    private MetricsServer? _server;

    public Task InitializeAsync()
    {
        var options = new MetricsOptions { Listen = $"127.0.0.1:{FreePort()}", EventsWithinSeconds = 10, SinkFailureSeconds = 30 };
        _server = new MetricsServer(options, () => Volatile.Read(ref _snapshot), new HealthEvaluator(options, _time, () => _lastPid), NullLogger.Instance);
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static SinkStats Sink(long sent, long spooled, bool healthy) => new("siem", "kafka", sent, 0, spooled, 0, 0, 0, 0, 0, healthy);

    private void Set(long openat, long matches, SinkStats sink) => Volatile.Write(ref _snapshot, _snapshot with
    {
        EventsReceived = openat,
        ReceivedPerType = new Dictionary<EventType, long> { [EventType.Openat] = openat },
        MatchesPerRule = new Dictionary<string, long> { ["Read shadow"] = matches },
        Sinks = [sink],
        Rules = 4,
    });

    [Fact]
    public async Task Metrics_TwoScrapes_ParseAndCountersMoveWithTheEngine()
    {
        Set(openat: 10, matches: 1, Sink(sent: 1, spooled: 0, healthy: true));
        using var first = await _http.GetAsync(_server!.Prefix + "metrics");
        var a = PrometheusTextParser.Parse(await first.Content.ReadAsStringAsync());

        Set(openat: 25, matches: 3, Sink(sent: 2, spooled: 1, healthy: true));
        var b = PrometheusTextParser.Parse(await _http.GetStringAsync(_server.Prefix + "metrics"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", first.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Equal(15, b.Value("harrier_events_received_total", ("class", "file"), ("type", "openat")) - a.Value("harrier_events_received_total", ("class", "file"), ("type", "openat")));
        Assert.Equal(2, b.Value("harrier_rule_matches_total", ("rule", "Read shadow")) - a.Value("harrier_rule_matches_total", ("rule", "Read shadow")));
        Assert.Equal(1, b.Value("harrier_alerts_sent_total", ("sink", "siem")) - a.Value("harrier_alerts_sent_total", ("sink", "siem")));
        Assert.Equal(1, b.Value("harrier_alerts_spooled_total", ("sink", "siem")));
        Assert.Equal(4, b.Value("harrier_rules_loaded"));
        Assert.Equal("counter", b.Types["harrier_events_received_total"]);
        Assert.Equal("gauge", b.Types["harrier_rules_loaded"]);
        Assert.True(b.Value("process_cpu_seconds_total") >= a.Value("process_cpu_seconds_total"));
    }

    [Fact]
    public async Task Healthz_EventsStopWhileProcessesAreCreated_503WithReason()
    {
        Set(openat: 10, matches: 0, Sink(0, 0, healthy: true));
        using (var ok = await _http.GetAsync(_server!.Prefix + "healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        _lastPid = 900; // processes were created, yet no event arrived
        _time.Advance(TimeSpan.FromSeconds(11));
        using var down = await _http.GetAsync(_server.Prefix + "healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Contains("no event for 11 s", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Set(openat: 11, matches: 0, Sink(0, 0, healthy: true));
        using var back = await _http.GetAsync(_server.Prefix + "healthz");
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task Healthz_SinkDownBeyondThreshold_503NamingTheSink()
    {
        long events = 1;
        Set(events, 0, Sink(0, 0, healthy: false));
        using (var early = await _http.GetAsync(_server!.Prefix + "healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, early.StatusCode); // not yet beyond SinkFailureSeconds
        }

        _time.Advance(TimeSpan.FromSeconds(31));
        Set(++events, 0, Sink(0, 5, healthy: false));
        using var down = await _http.GetAsync(_server.Prefix + "healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Contains("sink 'siem' failing for 31 s", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_ProbesDetached_503()
    {
        Volatile.Write(ref _snapshot, _snapshot with { ProbesAttached = false });

        using var r = await _http.GetAsync(_server!.Prefix + "healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        Assert.Equal("unhealthy: probes are not attached\n", await r.Content.ReadAsStringAsync());
    }
}
