using System.Text;
using Harrier.Interop;

namespace Harrier.Engine.Bench;

/// <summary>
/// The hooked-call loops of <c>harrier bench enforce</c>, timed in CPU time of the calling thread
/// (CLOCK_THREAD_CPUTIME_ID) rather than wall time, so preemption by other work on a busy machine does not count.
/// Thread-safe (no shared state); each call runs on and measures the calling thread.
/// </summary>
internal static class EnforceBenchLoops
{
    public const uint Loopback = 0x7F000001;

    private static readonly byte[] DevNull = Encoding.ASCII.GetBytes("/dev/null\0");

    /// <summary>CPU ns per connect(2) of UDP socket <paramref name="fd"/> to 127.0.0.1:53.</summary>
    public static double UdpConnect(int fd, long iterations) =>
        Time(iterations, 1, "UDP connect", n => (BenchSyscalls.UdpConnectLoop(fd, Loopback, 53, n, out int e), e));

    /// <summary>CPU ns per socket + nonblocking connect to the closed TCP port + close.</summary>
    public static double TcpRefused(ushort closedPort, long iterations) =>
        Time(iterations, 1, "TCP connect", n => (BenchSyscalls.TcpRefusedLoop(Loopback, closedPort, n, out int e), e));

    /// <summary>CPU ns per syscall of open(/dev/null)+close pairs (2 syscalls per iteration).</summary>
    public static double OpenClosePerSyscall(long iterations) =>
        Time(iterations, 2, "open+close", n => (BenchSyscalls.OpenCloseLoop(DevNull, n, out int e), e));

    /// <summary>CPU ns per open(/dev/null)+close pair (the pair is one hooked file_open).</summary>
    public static double OpenClosePerPair(long iterations) =>
        Time(iterations, 1, "open+close", n => (BenchSyscalls.OpenCloseLoop(DevNull, n, out int e), e));

    /// <summary>Iterations of a loop (measured with <paramref name="nsPerIteration"/> on a short probe) that take about <paramref name="roundMs"/> of CPU.</summary>
    public static long Calibrate(Func<long, double> nsPerIteration, int roundMs)
    {
        nsPerIteration(2_000); // warm-up: JIT, dentry and socket caches
        double ns = nsPerIteration(20_000);
        return Math.Max(1_000, (long)(roundMs * 1e6 / Math.Max(ns, 1)));
    }

    private static double Time(long iterations, int callsPerIteration, string what, Func<long, (long Failures, int Errno)> loop)
    {
        long start = BenchSyscalls.ThreadCpuNs();
        var (failures, errno) = loop(iterations);
        long ns = BenchSyscalls.ThreadCpuNs() - start;
        if (failures != 0)
        {
            throw new InvalidOperationException($"{what} loop: {failures} of {iterations} calls failed (errno {errno})");
        }

        return EnforceBenchMath.NsPerCall(iterations, ns, callsPerIteration);
    }
}
