using System.Diagnostics;
using System.Globalization;
using System.Text;
using Harrier.Events;

namespace Harrier.Host.Metrics;

/// <summary>Renders an <see cref="EngineSnapshot"/> in the Prometheus text exposition format (version 0.0.4).</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(EngineSnapshot s)
    {
        var b = new StringBuilder(4096);
        Metric(b, "harrier_events_received_total", "counter", "Events received from the kernel, per event class and type.",
            s.ReceivedPerType.Select(kv => (ClassAndType(kv.Key), (double)kv.Value)));
        Metric(b, "harrier_events_lost_total", "counter", "Events lost, per side (kernel: ring buffer full or shed; user: still queued when Harrier stopped), event class and type.",
            s.KernelLostPerType.Select(kv => (Label("side", "kernel") + "," + ClassAndType(kv.Key), (double)kv.Value))
                .Append((Label("side", "user") + "," + Label("class", "all") + "," + Label("type", "all"), (double)s.UserLost)));
        Metric(b, "harrier_kernel_errors_total", "counter", "Kernel-side helper failures and load shedding, per kind (shed: dropped past the ring's shed mark).",
            s.KernelErrors.Select(kv => (Label("kind", kv.Key), (double)kv.Value)));
        Metric(b, "harrier_events_undecodable_total", "counter", "Records that could not be decoded.", [(string.Empty, s.DecodeErrors)]);
        Metric(b, "harrier_ringbuffer_size_bytes", "gauge", "Size of the events ring buffer.", [(string.Empty, s.RingBufferBytes)]);
        Metric(b, "harrier_ringbuffer_pending_bytes", "gauge", "Bytes waiting in the ring buffer at scrape time.", [(string.Empty, s.RingBufferPending)]);
        Metric(b, "harrier_rule_matches_total", "counter", "Alerts raised, per rule.",
            s.MatchesPerRule.Select(kv => (Label("rule", kv.Key), (double)kv.Value)));
        foreach (var (name, help, pick) in new (string, string, Func<Harrier.Outputs.SinkStats, long>)[]
        {
            ("harrier_alerts_sent_total", "Alerts delivered, per sink.", x => x.Sent),
            ("harrier_alerts_failed_total", "Alert deliveries that failed, per sink.", x => x.Failed),
            ("harrier_alerts_spooled_total", "Alerts written to the on-disk spool, per sink.", x => x.Spooled),
            ("harrier_alerts_dropped_total", "Alerts dropped, per sink.", x => x.Dropped),
            ("harrier_alerts_suppressed_total", "Alerts suppressed by rate limits, per sink.", x => x.Suppressed),
        })
        {
            Metric(b, name, "counter", help, s.Sinks.Select(x => (Label("sink", x.Name), (double)pick(x))));
        }

        Metric(b, "harrier_sink_healthy", "gauge", "1 when the sink is delivering, 0 when it is failing.",
            s.Sinks.Select(x => (Label("sink", x.Name), x.Healthy ? 1.0 : 0.0)));
        Metric(b, "harrier_process_table_entries", "gauge", "Entries in the process table.", [(string.Empty, s.ProcessTableSize)]);
        Metric(b, "harrier_decoder_backpressure_total", "counter", "Times the ring-buffer consumer left records in the ring because the decoder was behind (overload then shows as kernel loss by class).", [(string.Empty, s.DecoderBackPressure)]);
        Metric(b, "harrier_process_table_evictions_total", "counter", "Process table entries evicted at the size bound.", [(string.Empty, s.ProcessTableEvictions)]);
        Metric(b, "harrier_fd_name_overflows_total", "counter", "fds whose name was not kept for close events (per-process bound of 1024 reached).", [(string.Empty, s.FdNameOverflows)]);
        Metric(b, "harrier_container_metadata_total", "counter", "Container metadata lookups in the runtimes' state files, per result (missing: no readable file yet; retried).",
            [(Label("result", "read"), s.ContainerMetadataRead), (Label("result", "missing"), s.ContainerMetadataMissing)]);
        Metric(b, "harrier_dns_names", "gauge", "DNS names that fd.*ip.name checks compare addresses against.", [(string.Empty, s.DnsNames)]);
        Metric(b, "harrier_dns_lookups_total", "counter", "Lookups of those names, per result (failed: no resolver or a timeout; the last addresses stay).",
            [(Label("result", "ok"), s.DnsLookups - s.DnsLookupFailures), (Label("result", "failed"), s.DnsLookupFailures)]);
        Metric(b, "harrier_rules_loaded", "gauge", "Rules in force.", [(string.Empty, s.Rules)]);
        Metric(b, "harrier_rules_load_seconds", "gauge", "Time taken to load and compile the rule set in force.", [(string.Empty, s.RulesLoadSeconds)]);
        Metric(b, "harrier_rules_load_timestamp_seconds", "gauge", "Unix time the rule set in force was loaded.", [(string.Empty, s.RulesLoadedUnixSeconds)]);
        Metric(b, "harrier_rules_reloads_total", "counter", "Successful rule reloads.", [(string.Empty, s.Reloads)]);
        Metric(b, "harrier_rules_reload_failures_total", "counter", "Rule reloads that failed (the old set stayed).", [(string.Empty, s.ReloadFailures)]);
        Metric(b, "harrier_verdicts_total", "counter", "Verdicts by what was done (killed, would-deny, ...).",
            s.VerdictsEnforced.Select(kv => (Label("enforced", kv.Key), (double)kv.Value)));
        using var me = Process.GetCurrentProcess();
        Metric(b, "process_resident_memory_bytes", "gauge", "Resident memory of the Harrier process.", [(string.Empty, me.WorkingSet64)]);
        Metric(b, "process_cpu_seconds_total", "counter", "CPU time used by the Harrier process.", [(string.Empty, me.TotalProcessorTime.TotalSeconds)]);
        return b.ToString();
    }

    private static void Metric(StringBuilder b, string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
    {
        b.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        b.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in samples)
        {
            b.Append(name);
            if (labels.Length > 0)
            {
                b.Append('{').Append(labels).Append('}');
            }

            b.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static string ClassAndType(EventType type)
        => Label("class", EventTypes.ClassOf(type).ToString().ToLowerInvariant()) + "," + Label("type", EventTypes.Name(type));

    internal static string Label(string name, string value) =>
        $"{name}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"";
}
