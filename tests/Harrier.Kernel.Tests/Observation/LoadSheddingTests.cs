using System.Diagnostics;
using Harrier.Engine.Ingest;
using Harrier.Engine.Loading;
using Harrier.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Kernel.Tests.Observation;

/// <summary>
/// Under overload the kernel sheds low-value events first: with the ring past its shed mark, file events are dropped
/// (and counted as lost and as <c>shed</c>) while exec/fork/exit still get through. Root, running kernel.
/// </summary>
public sealed class LoadSheddingTests
{
    [KernelFact]
    public void RingPastShedMark_FileEventsShedExecStillDelivered()
    {
        // A small ring that nobody reads until the storm is over: it fills, and past half only process events fit.
        using var source = KernelEventSource.Open(new ProbeOptions { RingBufferBytes = 64 * 1024, WakeupThresholdBytes = 0, ShedAtPercent = 50, PollTimeoutMs = 1 }, NullLoggerFactory.Instance);
        source.SetInterestingTypes([EventType.Openat, EventType.Open]);
        var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import os\nfor _ in range(2000): os.close(os.open('/dev/null', os.O_RDONLY))\nos.execv('/bin/true', ['true', 'after-the-storm'])\n");
        int pid;
        using (var p = Process.Start(psi)!)
        {
            pid = p.Id;
            p.WaitForExit();
        }

        var seen = new List<HarrierEvent>();
        using var done = new ManualResetEventSlim();
        source.Start(batch =>
        {
            lock (seen)
            {
                foreach (var e in batch)
                {
                    if (e.Pid == pid)
                    {
                        seen.Add(e.CloneEvent());
                        if (e is ProcessEvent { Type: EventType.Execve } x && x.Argv.Contains("after-the-storm"))
                        {
                            done.Set();
                        }
                    }
                }
            }
        });

        Assert.True(done.Wait(TimeSpan.FromSeconds(5)), "the exec after the storm was shed or lost");
        var stats = source.Stats;
        Assert.True(stats.HelperErrors["shed"] > 0, "nothing was shed");
        Assert.True(stats.KernelLostPerType.GetValueOrDefault(EventType.Openat) > 0);
        Assert.Equal(0UL, stats.KernelLostPerType.GetValueOrDefault(EventType.Execve));
        lock (seen)
        {
            Assert.True(seen.Count(e => e.Type == EventType.Openat) < 2000);
        }
    }

    [KernelFact]
    public void SlowDecoder_NothingDroppedInUserSpaceExecStillDelivered()
    {
        // A consumer that falls behind (one slow batch at a time, channel of one batch) while a storm runs: records
        // stay in the ring instead of being dropped in user space, so overload is handled by the probes (shedding
        // file events, never exec) and counted per type.
        using var source = KernelEventSource.Open(
            new ProbeOptions { RingBufferBytes = 256 * 1024, WakeupThresholdBytes = 0, ShedAtPercent = 50, PollTimeoutMs = 1, ChannelCapacity = 1, BatchSize = 64 },
            NullLoggerFactory.Instance);
        source.SetInterestingTypes([EventType.Openat, EventType.Open]);
        int pid = 0;
        long delivered = 0;
        using var done = new ManualResetEventSlim();
        source.Start(batch =>
        {
            Interlocked.Add(ref delivered, batch.Length);
            foreach (var e in batch)
            {
                if (e.Pid == Volatile.Read(ref pid) && e is ProcessEvent { Type: EventType.Execve } x && x.Argv.Contains("after-the-storm"))
                {
                    done.Set();
                }
            }

            Thread.Sleep(5); // a slow decoder, not a correctness wait
        });

        var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import os\nfor _ in range(50000): os.close(os.open('/dev/null', os.O_RDONLY))\nos.execv('/bin/true', ['true', 'after-the-storm'])\n");
        using (var p = Process.Start(psi)!)
        {
            Volatile.Write(ref pid, p.Id);
            p.WaitForExit();
        }

        Assert.True(done.Wait(TimeSpan.FromSeconds(20)), "the exec after the storm was lost");
        var stats = source.Stats;
        Assert.Equal(0, stats.UserLost);
        Assert.True(stats.BackPressure > 0, "the consumer never had to leave records in the ring");
        Assert.True(stats.KernelLostPerType.GetValueOrDefault(EventType.Openat) > 0, $"the slow decoder never fell behind ({Interlocked.Read(ref delivered)} delivered)");
    }
}
