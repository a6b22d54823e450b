using System.Runtime.InteropServices;

namespace Harrier.Interop;

/// <summary>The few libc calls the observation path needs: identity, CPU affinity, clocks. Thread-safe.</summary>
internal static unsafe partial class Posix
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint geteuid();

    [LibraryImport("libc", EntryPoint = "getpid")]
    internal static partial int getpid();

    [LibraryImport("libc", EntryPoint = "gettid")]
    internal static partial int gettid();

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint size, ulong* mask);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clock, long* ts);

    private const int ClockRealtime = 0;
    private const int ClockBoottime = 7;

    /// <summary>Pins a thread (0 = the calling thread) to one CPU. Returns false on failure.</summary>
    internal static bool PinToCpu(int tid, int cpu)
    {
        ulong* mask = stackalloc ulong[16];
        for (int i = 0; i < 16; i++)
        {
            mask[i] = 0;
        }

        mask[cpu / 64] = 1UL << (cpu % 64);
        return sched_setaffinity(tid, 16 * sizeof(ulong), mask) == 0;
    }

    /// <summary>CLOCK_BOOTTIME in ns (the clock of bpf_ktime_get_boot_ns).</summary>
    internal static long BoottimeNs()
    {
        long* ts = stackalloc long[2];
        clock_gettime(ClockBoottime, ts);
        return ts[0] * 1_000_000_000L + ts[1];
    }

    /// <summary>CLOCK_REALTIME in ns since the Unix epoch.</summary>
    internal static long RealtimeNs()
    {
        long* ts = stackalloc long[2];
        clock_gettime(ClockRealtime, ts);
        return ts[0] * 1_000_000_000L + ts[1];
    }
}
