using System.Diagnostics;
using System.Globalization;
using Harrier.Events;
using Harrier.Outputs.Formatting;
using Harrier.Outputs.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Outputs.Kafka;

/// <summary>
/// <c>harrier bench outputs [--json] [--count N] [--spool-count N]</c>: alerts/s through the full dispatcher path to
/// (1) a Kafka sink (write-ahead spool, idempotent producer, acks=all) against librdkafka's in-process mock cluster
/// (<c>test.mock.num.brokers=1</c>) and (2) a rolling JSON-lines file sink; and (3) the seconds needed to drain a spool
/// holding N alerts left by an outage. Prints <c>kafka_alerts_per_sec</c>, <c>file_alerts_per_sec</c>, <c>spool_drain_seconds</c>.
/// </summary>
public static class OutputsBench
{
    public static int Run(string[] args, TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(o);
        bool json = args.Contains("--json");
        int count = IntArg(args, "--count", 200_000);
        int spoolCount = IntArg(args, "--spool-count", 100_000);
        KafkaSinks.Register();
        string root = Path.Combine(Path.GetTempPath(), "harrier-bench-outputs-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            Alert[] alerts = MakeAlerts(Math.Max(count, spoolCount));

            // Warm-up (JIT tiering, librdkafka threads, page cache): measured runs start hot.
            Measure(KafkaSink(root, "kwarm"), alerts, Math.Min(count, 20_000));
            Measure(FileSink(root), alerts, Math.Min(count, 20_000));
            (double kafka, double kafkaCpu) = Measure(KafkaSink(root, "kbench"), alerts, count);
            (double file, double fileCpu) = Measure(FileSink(root), alerts, count);
            double drain = Drain(root, alerts, spoolCount);
            string load = LoadAverage();
            if (json)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"kafka_alerts_per_sec\":{kafka:F0},\"kafka_cpu_us_per_alert\":{kafkaCpu:F2},\"file_alerts_per_sec\":{file:F0},\"file_cpu_us_per_alert\":{fileCpu:F2},\"spool_drain_seconds\":{drain:F3},\"alerts\":{count},\"spool_alerts\":{spoolCount},\"cores\":{Environment.ProcessorCount},\"loadavg_1m\":{load}}}"));
            }
            else
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kafka_alerts_per_sec: {kafka:F0}   ({count} alerts: publish -> spool -> idempotent producer, acks=all, lz4 -> mock cluster; {kafkaCpu:F2} us CPU/alert)"));
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file_alerts_per_sec: {file:F0}   ({count} alerts, Falco JSON lines; {fileCpu:F2} us CPU/alert)"));
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"spool_drain_seconds: {drain:F3}   ({spoolCount} spooled alerts to Kafka)"));
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"machine: {Environment.ProcessorCount} cores, load average {load}"));
            }

            return 0;
        }
        catch (Exception e) when (e is OutputsConfigurationException or InvalidOperationException or IOException)
        {
            o.WriteLine("bench outputs failed: " + e.Message);
            return 1;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : fallback;
    }

    private static OutputsOptions KafkaSink(string root, string name) => new()
    {
        Spool = new SpoolOptions { Directory = Path.Combine(root, "spool"), Fsync = FsyncPolicy.Interval },
        Sinks =
        [
            new SinkOptions
            {
                Name = name,
                Type = KafkaSinks.Type,
                Format = AlertFormat.Falco,
                BatchSize = 2000,
                Settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
                {
                    ["Topic"] = "harrier-bench",
                    ["Properties:test.mock.num.brokers"] = "1",
                },
            },
        ],
    };

    private static OutputsOptions FileSink(string root) => new()
    {
        Sinks =
        [
            new SinkOptions
            {
                Name = "fbench",
                Type = "file",
                Format = AlertFormat.Falco,
                QueueCapacity = 1_000_000,
                BatchSize = 4096,
                Settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
                {
                    ["Path"] = Path.Combine(root, "file", "alerts.jsonl"),
                    ["RollingInterval"] = "infinite",
                    ["FileSizeLimitBytes"] = (1L << 30).ToString(CultureInfo.InvariantCulture),
                    ["Buffered"] = "true",
                },
            },
        ],
    };

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "0";
        }
    }

    private static (double PerSecond, double CpuMicrosPerAlert) Measure(OutputsOptions options, Alert[] alerts, int count)
    {
        AlertDispatcher d = AlertDispatcher.Create(options, NullLoggerFactory.Instance);
        try
        {
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                if (!d.Publish(alerts[i]))
                {
                    throw new InvalidOperationException($"alert {i} dropped: queue or spool full");
                }
            }

            WaitSent(d, count, TimeSpan.FromMinutes(5));
            double rate = count / sw.Elapsed.TotalSeconds;
            return (rate, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds / count);
        }
        finally
        {
            d.StopAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        }
    }

    private static double Drain(string root, Alert[] alerts, int count)
    {
        OutputsOptions options = KafkaSink(root, "kdrain");
        using (AlertSpool spool = AlertSpool.Open(Path.Combine(options.Spool.Directory, "kdrain"), options.Spool, TimeProvider.System, NullLogger.Instance))
        {
            for (int i = 0; i < count; i++)
            {
                spool.TryAppend(alerts[i]);
            }
        }

        var sw = Stopwatch.StartNew();
        AlertDispatcher d = AlertDispatcher.Create(options, NullLoggerFactory.Instance);
        try
        {
            WaitSent(d, count, TimeSpan.FromMinutes(5));
            return sw.Elapsed.TotalSeconds;
        }
        finally
        {
            d.StopAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        }
    }

    private static void WaitSent(AlertDispatcher d, long count, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (d.Stats[0].Sent < count)
        {
            if (sw.Elapsed > timeout)
            {
                throw new InvalidOperationException($"only {d.Stats[0].Sent} of {count} alerts delivered within {timeout.TotalSeconds} s");
            }

            Thread.Sleep(2);
        }
    }

    private static Alert[] MakeAlerts(int n)
    {
        var alerts = new Alert[n];
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        for (int i = 0; i < n; i++)
        {
            alerts[i] = new Alert
            {
                Uuid = Guid.NewGuid(),
                TimeNs = t0 + i,
                Rule = "Read sensitive file untrusted",
                Priority = Priority.Warning,
                Hostname = "bench-host",
                Output = "Sensitive file opened for reading by non-trusted program (file=/etc/shadow gparent=systemd ggparent=<NA> ggggparent=<NA> evt_type=openat user=root user_uid=0 process=cat proc_exepath=/usr/bin/cat parent=bash command=cat /etc/shadow terminal=34816 container_id=host)",
                OutputFields =
                [
                    new("evt.time", t0 + i),
                    new("fd.name", "/etc/shadow"),
                    new("proc.name", "cat"),
                    new("proc.pid", (long)(1000 + (i % 30000))),
                    new("user.name", "root"),
                    new("user.uid", 0UL),
                    new("container.id", "host"),
                ],
                Tags = ["filesystem", "mitre_credential_access", "T1555"],
                EventId = i,
                Process = new AlertProcess { Pid = 1000 + (i % 30000), Ppid = 1, Name = "cat", ExePath = "/usr/bin/cat", Cmdline = "cat /etc/shadow", ParentName = "bash", UserName = "root", FilePath = "/etc/shadow" },
            };
        }

        return alerts;
    }
}
