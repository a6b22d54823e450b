using System.Globalization;
using System.Text.RegularExpressions;
using Harrier.Events;
using Harrier.Host.Metrics;
using Harrier.Outputs;

namespace Harrier.Host.Tests.Metrics;

public sealed partial class PrometheusTextTests
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
        };

        var samples = Parse(PrometheusText.Render(snap));

        Assert.Equal(40, samples["harrier_events_received_total{type=\"openat\"}"]);
        Assert.Equal(2, samples["harrier_events_received_total{type=\"execve\"}"]);
        Assert.Equal(3, samples["harrier_events_lost_total{side=\"kernel\",type=\"openat\"}"]);
        Assert.Equal(1, samples["harrier_events_lost_total{side=\"user\",type=\"all\"}"]);
        Assert.Equal(5, samples["harrier_rule_matches_total{rule=\"Read \\\"sensitive\\\" file\"}"]);
        Assert.Equal(10, samples["harrier_alerts_sent_total{sink=\"kafka\"}"]);
        Assert.Equal(4, samples["harrier_alerts_spooled_total{sink=\"kafka\"}"]);
        Assert.Equal(0, samples["harrier_sink_healthy{sink=\"kafka\"}"]);
        Assert.Equal(12, samples["harrier_process_table_entries"]);
        Assert.Equal(7, samples["harrier_fd_name_overflows_total"]);
        Assert.Equal(9, samples["harrier_decoder_backpressure_total"]);
        Assert.True(samples["process_resident_memory_bytes"] > 0);
    }

    /// <summary>A strict parser of the text format: every line is a comment (# HELP/# TYPE) or one sample.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Contains(parts[3], new[] { "counter", "gauge" });
                typed.Add(parts[2]);
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                continue;
            }

            var m = SampleLine().Match(line);
            Assert.True(m.Success, $"not a sample line: {line}");
            Assert.Contains(m.Groups["name"].Value, typed);
            samples[m.Groups["name"].Value + m.Groups["labels"].Value] = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (?<value>[-+0-9.eE]+|NaN|[+-]Inf)$""")]
    private static partial Regex SampleLine();
}
