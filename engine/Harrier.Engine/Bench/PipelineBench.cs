using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Harrier.Engine.Ingest;
using Harrier.Engine.Loading;
using Harrier.Events;
using Harrier.Interop;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Engine.Bench;

/// <summary>
/// <c>harrier bench pipeline [--seconds N] [--open-only] [--json]</c>: measures the kernel observation path end to end.
/// A storm child (probes/.output/storm, open+close of /dev/null in a tight loop) pinned to the last CPU runs
/// while Harrier captures its open and close events and consumes them on CPU 0, and without Harrier for the same total time (half before, half after). Prints events delivered per second into the
/// engine (decoded events handed to the batch callback), events lost (kernel + user side) and the workload ratio
/// (storm throughput with / without Harrier). JSON keys: <c>events_per_sec</c>, <c>lost</c>, <c>workload_ratio</c>.
/// </summary>
internal static class PipelineBench
{
    /// <summary>Runs the benchmark. Exit codes: 0 done, 1 failure (message on stdout), 2 usage.</summary>
    public static int Run(string[] args, TextWriter stdout)
    {
        int seconds = 5;
        bool json = false;
        bool openOnly = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length && int.TryParse(args[i + 1], out seconds) && seconds is > 0 and <= 600:
                    i++;
                    break;
                case "--json":
                    json = true;
                    break;
                case "--open-only":
                    openOnly = true;
                    break;
                default:
                    stdout.WriteLine("usage: harrier bench pipeline [--seconds N (1-600)] [--open-only] [--json]");
                    return 2;
            }
        }

        string? storm = FindStorm();
        if (storm is null)
        {
            stdout.WriteLine("bench pipeline: the storm helper (probes/.output/storm) is missing: run `make -C probes`");
            return 1;
        }

        int stormCpu = Environment.ProcessorCount > 1 ? Environment.ProcessorCount - 1 : 0;
        Result result;
        try
        {
            result = Measure(storm, seconds, stormCpu, openOnly);
        }
        catch (ProbeStartupException ex)
        {
            stdout.WriteLine("bench pipeline: " + ex.Message);
            return 1;
        }

        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["events_per_sec"] = Math.Round(result.EventsPerSec),
                ["lost"] = result.Lost,
                ["workload_ratio"] = Math.Round(result.WorkloadRatio, 3),
                ["storm_ops_per_sec_with"] = Math.Round(result.StormWith),
                ["storm_ops_per_sec_without"] = Math.Round(result.StormWithout),
                ["kernel_lost"] = result.KernelLost,
                ["user_lost"] = result.UserLost,
                ["allocated_bytes_per_event"] = Math.Round(result.AllocatedBytesPerEvent, 2),
                ["seconds"] = seconds,
                ["captured"] = openOnly ? "open" : "open,close",
            }));
        }
        else
        {
            var c = CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(c, $"pipeline: {result.EventsPerSec:N0} events/s delivered into the engine (captured: {(openOnly ? "open" : "open and close")})"));
            stdout.WriteLine(string.Create(c, $"pipeline: lost {result.Lost} (kernel {result.KernelLost}, user {result.UserLost})"));
            stdout.WriteLine(string.Create(c, $"pipeline: {result.AllocatedBytesPerEvent:F2} bytes allocated per event (whole process)"));
            stdout.WriteLine(string.Create(c, $"pipeline: workload ratio {result.WorkloadRatio:F3} (storm {result.StormWith:N0} open+close/s with Harrier, {result.StormWithout:N0} without)"));
        }

        return 0;
    }

    internal sealed record Result(double EventsPerSec, ulong Lost, ulong KernelLost, long UserLost, double WorkloadRatio, double StormWith, double StormWithout, double AllocatedBytesPerEvent);

    private static Result Measure(string storm, int seconds, int stormCpu, bool openOnly)
    {
        // The storm without Harrier runs half before and half after the run with it, so load drifting on a
        // shared machine biases both sides alike.
        int half = Math.Max(1, seconds / 2);
        double withoutBefore = RunStorm(storm, half, stormCpu) / (double)half;
        long delivered = 0;
        var options = new ProbeOptions { ConsumerCpu = 0, ChannelCapacity = 256, BatchSize = 4096 };
        double with;
        double eventsPerSec;
        ulong kernelLost;
        long userLost;
        double allocPerEvent;
        using (var source = KernelEventSource.Open(options, NullLoggerFactory.Instance))
        {
            // Both halves of the storm, as Falco captures them; --open-only leaves close out (one event per pair).
            source.SetInterestingTypes(openOnly ? [EventType.Open, EventType.Openat] : [EventType.Open, EventType.Openat, EventType.Close]);
            source.Start(batch => Interlocked.Add(ref delivered, batch.Length));
            long before = Interlocked.Read(ref delivered);
            long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
            var sw = Stopwatch.StartNew();
            long ops = RunStorm(storm, seconds, stormCpu);
            double stormSeconds = sw.Elapsed.TotalSeconds;

            // let the consumer drain what the storm left in the ring
            long last = -1;
            var drain = Stopwatch.StartNew();
            while (drain.ElapsedMilliseconds < 2000 && Interlocked.Read(ref delivered) != last)
            {
                last = Interlocked.Read(ref delivered);
                Thread.Sleep(50); // waiting for a drain to settle, not a correctness wait
            }

            source.Stop();
            var stats = source.Stats;
            long events = Interlocked.Read(ref delivered) - before;
            eventsPerSec = events / stormSeconds;
            allocPerEvent = events > 0 ? (GC.GetTotalAllocatedBytes(precise: true) - allocBefore) / (double)events : 0;
            with = ops / (double)seconds;
            kernelLost = stats.KernelLost;
            userLost = stats.UserLost;
        }

        double withoutAfter = RunStorm(storm, half, stormCpu) / (double)half;
        double without = (withoutBefore + withoutAfter) / 2;
        return new Result(eventsPerSec, kernelLost + (ulong)userLost, kernelLost, userLost, without > 0 ? with / without : 0, with, without, allocPerEvent);
    }

    private static long RunStorm(string storm, int seconds, int cpu)
    {
        var psi = new ProcessStartInfo(storm) { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add((seconds * 1000).ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("/dev/null");
        psi.ArgumentList.Add(cpu.ToString(CultureInfo.InvariantCulture));
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return long.TryParse(output.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0;
    }

    /// <summary>HARRIER_STORM, storm beside the program, or probes/.output/storm above it.</summary>
    internal static string? FindStorm()
    {
        string? env = Environment.GetEnvironmentVariable("HARRIER_STORM");
        if (!string.IsNullOrEmpty(env) && File.Exists(env))
        {
            return env;
        }

        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(d.FullName, "storm"), Path.Combine(d.FullName, "probes", ".output", "storm") })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
