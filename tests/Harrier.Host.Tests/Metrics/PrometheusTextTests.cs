using Harrier.Events;
using Harrier.Host.Metrics;
using Harrier.Outputs;

namespace Harrier.Host.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Render_Snapshot_ParsesAsPrometheusTextWithExpectedSamples()
    {
        var snap = new EngineSnapshot
        {
            ProbesAttached = true,
            RulesLoaded = true,
            EventsReceived = 42,
            ReceivedPerType = new Dictionary<EventType, long> { [EventType.Openat] = 40, [EventType.Execve] = 2 },
            KernelLostPerType = new Dictionary<EventType, ulong> { [EventType.Openat] = 3 },
            UserLost = 1,
            MatchesPerRule = new Dictionary<string, long> { ["Read \"sensitive\" file"] = 5 },
            Sinks = [new SinkStats("kafka", "kafka", 10, 1, 4, 0, 0, 0, 0, 0, false)],
            ProcessTableSize = 12,
            FdNameOverflows = 7,
            DecoderBackPressure = 9,
            Rules = 3,
            ContainerMetadataRead = 4,
            ContainerMetadataMissing = 1,
            DnsNames = 2,
            DnsLookups = 6,
            DnsLookupFailures = 1,
        };

        var p = PrometheusTextParser.Parse(PrometheusText.Render(snap));

        Assert.Equal(40, p.Value("harrier_events_received_total", ("class", "file"), ("type", "openat")));
        Assert.Equal(2, p.Value("harrier_events_received_total", ("class", "process"), ("type", "execve")));
        Assert.Equal(3, p.Value("harrier_events_lost_total", ("side", "kernel"), ("class", "file"), ("type", "openat")));
        Assert.Equal(1, p.Value("harrier_events_lost_total", ("side", "user"), ("class", "all"), ("type", "all")));
        Assert.Equal(5, p.Value("harrier_rule_matches_total", ("rule", "Read \"sensitive\" file")));
        Assert.Equal(10, p.Value("harrier_alerts_sent_total", ("sink", "kafka")));
        Assert.Equal(4, p.Value("harrier_alerts_spooled_total", ("sink", "kafka")));
        Assert.Equal(0, p.Value("harrier_sink_healthy", ("sink", "kafka")));
        Assert.Equal(12, p.Value("harrier_process_table_entries"));
        Assert.Equal(7, p.Value("harrier_fd_name_overflows_total"));
        Assert.Equal(9, p.Value("harrier_decoder_backpressure_total"));
        Assert.Equal(2, p.Value("harrier_dns_names"));
        Assert.Equal(4, p.Value("harrier_container_metadata_total", ("result", "read")));
        Assert.Equal(1, p.Value("harrier_container_metadata_total", ("result", "missing")));
        Assert.Equal(5, p.Value("harrier_dns_lookups_total", ("result", "ok")));
        Assert.Equal(1, p.Value("harrier_dns_lookups_total", ("result", "failed")));
        Assert.True(p.Value("process_resident_memory_bytes") > 0);
        Assert.All(p.Samples.Keys.Select(k => k.Split('{')[0]).Distinct(), name => Assert.True(p.Types.ContainsKey(name) && p.Help.ContainsKey(name), name));
    }

    [Fact]
    public void Render_EveryMetricTheIssueNames_IsExposed()
    {
        var p = PrometheusTextParser.Parse(PrometheusText.Render(new EngineSnapshot()));

        foreach (string name in new[]
        {
            "harrier_events_received_total", "harrier_events_lost_total", "harrier_ringbuffer_size_bytes", "harrier_ringbuffer_pending_bytes",
            "harrier_rule_matches_total", "harrier_alerts_sent_total", "harrier_alerts_failed_total", "harrier_alerts_spooled_total",
            "harrier_alerts_dropped_total", "harrier_process_table_entries", "harrier_process_table_evictions_total",
            "harrier_rules_load_seconds", "harrier_rules_load_timestamp_seconds", "harrier_rules_reload_failures_total",
            "harrier_verdicts_total", "process_resident_memory_bytes", "process_cpu_seconds_total",
        })
        {
            Assert.True(p.Types.ContainsKey(name), name);
        }
    }

    [Theory]
    [InlineData("a_total 1")] // no trailing line feed
    [InlineData("# TYPE a counter\na{x=\"1\"} 1\na{x=\"1\"} 2\n")] // duplicate series
    [InlineData("# TYPE a counter\na 1\n# TYPE b gauge\nb 1\na 2\n")] // family not contiguous
    [InlineData("# TYPE a counter\na{x=\"1} 1\n")] // unterminated label value
    [InlineData("# TYPE a counter\na{x=\"\\q\"} 1\n")] // bad escape
    [InlineData("# TYPE a countr\na 1\n")] // unknown type
    [InlineData("# TYPE a counter\na one\n")] // bad value
    [InlineData("1a 1\n")] // bad name
    public void Parser_MalformedText_Rejected(string text)
    {
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse(text));
    }
}
