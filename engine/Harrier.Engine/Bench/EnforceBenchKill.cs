using System.Diagnostics;
using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Ingest;
using Harrier.Engine.Loading;
using Harrier.Engine.Pipeline;
using Harrier.Engine.Verdicts;
using Harrier.Events;
using Harrier.Rules;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Engine.Bench;

/// <summary>
/// The user-space kill path of <c>harrier bench enforce</c>, through the real pipeline: probes → process table → rules
/// → <see cref="VerdictRouter"/> in enforce mode. A rule with <c>action: kill</c> matches the exec of a uniquely named
/// copy of /bin/sleep; the copy is started <c>N</c> times one after another and each run waits for the victim to exit.
/// The latency is the router's own measure (<see cref="Alert.KillLatencyNs"/>: kernel capture timestamp of the exec
/// event → kill(2) returned), so it covers ring buffer wake-up, decoding, enrichment and rule evaluation; it does not
/// include the kernel's delivery of SIGKILL. Victims that outlive the timeout are killed by the bench and counted as
/// survivors. Not thread-safe; needs root.
/// </summary>
internal static class EnforceBenchKill
{
    /// <summary>Warm-up victims (JIT of the rule and pipeline paths), run first and left out of the statistics.</summary>
    public const int WarmUp = 3;

    /// <summary>
    /// Latencies in ms (one per victim killed by Harrier), victims measured, killed by Harrier (SIGKILL and a
    /// <c>killed</c> alert), alerts seen, events lost and events the pipeline handled (for diagnosis), and an error.
    /// </summary>
    internal sealed record Result(IReadOnlyList<double> LatenciesMs, int Victims, int Died, int Alerts, long EngineLost, long EngineEvents, string? Error);

    public static Result Measure(int victims, TimeSpan perVictimTimeout)
    {
        var dir = Directory.CreateTempSubdirectory("harrier-bench-kill-");
        string name = "hbv-" + Guid.NewGuid().ToString("N")[..8]; // 12 chars: fits comm (15)
        string exe = Path.Combine(dir.FullName, name);
        var alerts = new Dictionary<int, Alert>();
        var gate = new object();
        try
        {
            File.Copy("/bin/sleep", exe);
            File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            string yaml = $"""
                - rule: Bench kill victim
                  desc: harrier bench enforce, user-space kill latency victim
                  condition: evt.type = execve and proc.name = {name}
                  output: bench victim started (pid=%proc.pid)
                  priority: CRITICAL
                  action: kill
                """;
            var loaded = RuleLoader.LoadText(yaml, "bench-kill");
            if (!loaded.Success || loaded.RuleSet is null)
            {
                return new Result([], 0, 0, 0, 0, 0, "the bench rule did not load: " + loaded.Format());
            }

            var processes = new ProcessTable(new EnrichmentOptions());
            processes.Seed();
            var router = new VerdictRouter(new EnforcementOptions { Mode = "enforce" }, NullLogger.Instance);
            var pipeline = new EventPipeline(processes, new DetectionStage(loaded.RuleSet), router, a =>
            {
                if (a.Process is { } p)
                {
                    lock (gate)
                    {
                        alerts[p.Pid] = a;
                        Monitor.PulseAll(gate);
                    }
                }
            }, "harrier-bench");

            using var source = KernelEventSource.Open(new ProbeOptions { WakeupThresholdBytes = 0, PollTimeoutMs = 1 }, NullLoggerFactory.Instance);
            source.SetInterestingTypes(loaded.RuleSet.InterestingTypes.ToArray());
            source.Start(pipeline.OnBatch);

            var latencies = new List<double>(victims);
            int died = 0;
            for (int i = -WarmUp; i < victims; i++)
            {
                if (i == 0)
                {
                    lock (gate)
                    {
                        alerts.Clear(); // count only the measured victims' alerts
                    }
                }

                var psi = new ProcessStartInfo(exe) { UseShellExecute = false };
                psi.ArgumentList.Add("30");
                using var victim = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
                if (!victim.WaitForExit(perVictimTimeout))
                {
                    victim.Kill();
                    victim.WaitForExit();
                    continue; // a survivor: Victims - Died
                }

                // The router kills before it publishes: wait (bounded) for the alert carrying the latency.
                Alert? alert;
                lock (gate)
                {
                    var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
                    while (!alerts.TryGetValue(victim.Id, out alert) && Stopwatch.GetTimestamp() < until)
                    {
                        Monitor.Wait(gate, TimeSpan.FromMilliseconds(50));
                    }
                }

                if (i >= 0 && victim.ExitCode == 128 + 9 && alert is { Enforced: "killed", KillLatencyNs: long ns })
                {
                    died++;
                    latencies.Add(ns / 1e6);
                }
            }

            source.Stop();
            var stats = source.Stats;
            int alertCount;
            lock (gate)
            {
                alertCount = alerts.Count;
            }

            return new Result(latencies, victims, died, alertCount, (long)stats.KernelLost + stats.UserLost, pipeline.Events, null);
        }
        catch (Exception ex) when (ex is ProbeStartupException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return new Result([], victims, 0, 0, 0, 0, ex.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
