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
}
