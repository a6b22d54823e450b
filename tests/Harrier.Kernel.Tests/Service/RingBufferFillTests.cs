using System.Diagnostics;
using Harrier.Engine.Ingest;
using Harrier.Engine.Loading;
using Harrier.Events;
using Harrier.Host.Metrics;
using Harrier.Kernel.Tests.Observation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Kernel.Tests.Service;

/// <summary>harrier_ringbuffer_pending_bytes on the real ring: records the consumer has not taken yet are counted,
/// and consuming them brings the count down.</summary>
public sealed class RingBufferFillTests
{
    [KernelFact]
    public void PendingBytes_UnconsumedEvents_CountedAndDrainedByTheConsumer()
    {
        using var source = KernelEventSource.Open(new ProbeOptions { WakeupThresholdBytes = 0, PollTimeoutMs = 1 }, NullLoggerFactory.Instance);
        source.SetInterestingTypes([EventType.Openat]);
        using var fill = RingBufferFill.Open(source.Probes.EventsFd, out int errno);
        Assert.True(fill is not null, $"mmap errno {errno}");

        long before = fill.PendingBytes;
        // 200 opens in a child (the probes leave Harrier's own process out); nothing consumes them yet.
        using (var sh = Process.Start("/bin/sh", ["-c", "i=0; while [ $i -lt 200 ]; do : < /etc/hostname; i=$((i+1)); done"]))
        {
            sh.WaitForExit();
        }

        long filled = fill.PendingBytes;
        Assert.True(filled >= before + 200 * 32, $"pending {before} -> {filled} bytes after 200 opens in a child");
        Assert.True(filled <= new ProbeOptions().RingBufferBytes);

        source.Start(_ => { });
        var sw = Stopwatch.StartNew();
        while (fill.PendingBytes >= filled && sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(10); // waiting for the consumer thread, not a correctness sleep
        }

        Assert.True(fill.PendingBytes < filled, $"still {fill.PendingBytes} bytes pending after the consumer started");
        source.Stop();
    }
}
