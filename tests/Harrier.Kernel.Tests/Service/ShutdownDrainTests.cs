using System.Diagnostics;
using System.Text.RegularExpressions;
using Harrier.Kernel.Tests.Observation;
using Harrier.Outputs.Spool;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Kernel.Tests.Service;

/// <summary>
/// SIGTERM with 10,000 alerts queued for a sink that cannot deliver (a Kafka sink whose broker is down): Harrier
/// drains its pipeline, every alert is spooled before it exits 0, and the spool holds exactly those alerts for the
/// next start to deliver. Root and the built program needed.
/// </summary>
public sealed partial class ShutdownDrainTests : IDisposable
{
    private const int Alerts = 10_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("harrier-drain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [KernelFact]
    public async Task Sigterm_WithAlertsQueuedForDeadBroker_AllSpooledBeforeExit()
    {
        string rules = Path.Combine(_dir, "rules.yaml");
        string marker = Path.Combine(_dir, "marker");
        string spool = Path.Combine(_dir, "spool");
        File.WriteAllText(marker, "x");
        File.WriteAllText(rules, $"""
            - rule: Drain test
              desc: test
              condition: evt.type in (open, openat) and fd.name = {marker}
              output: "marker opened by %proc.name"
              priority: NOTICE
            """);
        int port = 20765 + (Environment.ProcessId % 1000);
        using var h = new HarrierProcess(_dir, port,
        [
            "run", "-r", rules, "-o", "Rules:WatchFiles=false",
            "-o", "Outputs:Sinks:1:Name=siem", "-o", "Outputs:Sinks:1:Type=kafka",
            "-o", "Outputs:Sinks:1:BootstrapServers=127.0.0.1:1", "-o", "Outputs:Sinks:1:Format=falco",
            "-o", "Outputs:Sinks:1:MinimumPriority=Debug",
            "-o", $"Outputs:Spool:Directory={spool}",
        ]);
        Assert.True(h.WaitMessage(m => m == "READY=1", TimeSpan.FromSeconds(60)) >= 0, h.Output);

        using (var p = Process.Start("/usr/bin/python3", ["-c", $"for _ in range({Alerts}): open('{marker}').close()"]))
        {
            p.WaitForExit();
        }

        using var http = new HttpClient();
        var sw = Stopwatch.StartNew();
        long matched = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(30) && matched < Alerts)
        {
            var m = RuleMatches().Match(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));
            matched = m.Success ? long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }

        // Every open of the marker matched (other processes may open it too, so at least that many).
        Assert.True(matched >= Alerts, $"{matched} matches");
        h.Signal(15);
        Assert.True(h.Process.WaitForExit(TimeSpan.FromSeconds(60)), "did not exit after SIGTERM\n" + h.Output);
        h.Process.WaitForExit();
        Assert.Equal(0, h.Process.ExitCode);

        using var s = AlertSpool.Open(Path.Combine(spool, "siem"), new SpoolOptions { Directory = spool }, TimeProvider.System, NullLogger.Instance);
        // Nothing could be delivered: every alert raised before SIGTERM (matched, plus any raised while draining)
        // is in the spool, and the console line for each was written too.
        Assert.True(s.Pending >= matched, $"spooled {s.Pending} of {matched}");
        var batch = new List<SpoolRecord>();
        long read = 0;
        while (read < s.Pending && s.ReadBatch(batch, 4096) > 0)
        {
            read += batch.Count;
            batch.Clear();
        }

        Assert.Equal(s.Pending, read);
        Assert.True(Regex.Count(h.Output, "marker opened by") >= matched);
    }

    [GeneratedRegex("harrier_rule_matches_total\\{rule=\"Drain test\"\\} (\\d+)")]
    private static partial Regex RuleMatches();
}
