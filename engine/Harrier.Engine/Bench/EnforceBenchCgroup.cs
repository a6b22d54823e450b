using System.Diagnostics;
using System.Globalization;
using System.Net;
using Harrier.Engine.Enforcement;
using Harrier.Interop;
using Harrier.Interop.Bpf;

namespace Harrier.Engine.Bench;

/// <summary>
/// The cgroup path of <c>harrier bench enforce</c>: moves this process into a fresh child cgroup of the cgroup v2 mount,
/// loads <see cref="CgroupEnforcer"/> with a handful of deny entries that do not match the benchmark's destination, and
/// times connect loops with the programs attached and detached in alternating rounds: connect(2) of one UDP socket to
/// 127.0.0.1 (the hook cost alone) and socket + nonblocking TCP connect to a closed loopback port + close. Before
/// measuring it checks that a denied destination really gets EPERM, so "with" is known to run the programs.
/// The process is moved back to its own cgroup and the child removed afterwards. Not thread-safe; needs root.
/// </summary>
internal static class EnforceBenchCgroup
{
    private const uint Loopback = 0x7F000001;
    private const uint DeniedProbe = 0x7F000009; // 127.0.0.9
    private const ushort DeniedProbePort = 9;

    /// <summary>Results: null comparisons with an <see cref="Error"/> when the path could not be measured.</summary>
    internal sealed record Result(EnforceBenchComparison? UdpConnect, EnforceBenchComparison? TcpConnect, bool DenyVerified, string? Error);

    public static Result Measure(double seconds, int roundMs)
    {
        string? mount = CgroupPaths.FindCgroup2Mount();
        if (mount is null)
        {
            return new Result(null, null, false, "no cgroup v2 mount in /proc/self/mounts");
        }

        string original = OwnCgroupDirectory(mount);
        string dir = Path.Combine(mount, "harrier-bench-" + Guid.NewGuid().ToString("N")[..12]);
        CgroupEnforcer? enforcer = null;
        bool moved = false;
        int udp = -1;
        try
        {
            enforcer = CgroupEnforcer.Load(_ => { });
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            moved = true;

            foreach (var (net, port) in new[] { ("10.0.0.0/8", (ushort)0), ("192.0.2.0/24", (ushort)443), ("198.51.100.7/32", (ushort)22), ("2001:db8::/32", (ushort)0) })
            {
                enforcer.AddDeny(new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse(net), Port = port, RuleId = 900 });
            }

            enforcer.AddDeny(new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("127.0.0.9/32"), Port = DeniedProbePort, RuleId = 901 });
            udp = BenchSyscalls.OpenUdp4();
            if (udp < 0)
            {
                return new Result(null, null, false, $"socket(AF_INET, SOCK_DGRAM) failed: errno {-udp}");
            }

            // The denied destination must fail with EPERM only while attached: proves the programs are on the path.
            enforcer.Attach(dir);
            long deniedFailures = BenchSyscalls.UdpConnectLoop(udp, DeniedProbe, DeniedProbePort, 1, out int deniedErrno);
            enforcer.Detach(dir);
            long allowedFailures = BenchSyscalls.UdpConnectLoop(udp, DeniedProbe, DeniedProbePort, 1, out _);
            bool verified = deniedFailures == 1 && deniedErrno == BenchSyscalls.EPerm && allowedFailures == 0;

            ushort closedPort = ClosedTcpPort();
            int rounds = Math.Max(3, (int)(seconds * 1000 / 2 / (2 * roundMs)));
            var e = enforcer;
            void Set(bool on)
            {
                if (on)
                {
                    e.Attach(dir);
                }
                else
                {
                    e.Detach(dir);
                }
            }

            long udpIterations = Calibrate(n => BenchSyscalls.UdpConnectLoop(udp, Loopback, 53, n, out _), roundMs);
            var (udpWithout, udpWith) = EnforceBenchRounds.Alternate(rounds, Set, () => Time(n => BenchSyscalls.UdpConnectLoop(udp, Loopback, 53, n, out _), udpIterations, "UDP connect"));
            long tcpIterations = Calibrate(n => BenchSyscalls.TcpRefusedLoop(Loopback, closedPort, n, out _), roundMs);
            var (tcpWithout, tcpWith) = EnforceBenchRounds.Alternate(rounds, Set, () => Time(n => BenchSyscalls.TcpRefusedLoop(Loopback, closedPort, n, out _), tcpIterations, "TCP connect"));
            return new Result(EnforceBenchComparison.From(udpWithout, udpWith), EnforceBenchComparison.From(tcpWithout, tcpWith), verified, verified ? null : "a denied destination was not refused with EPERM while attached");
        }
        catch (Exception ex) when (ex is BpfException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new Result(null, null, false, ex.Message);
        }
        finally
        {
            if (udp >= 0)
            {
                BenchSyscalls.Close(udp);
            }

            if (moved)
            {
                File.WriteAllText(Path.Combine(original, "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            }

            enforcer?.Dispose();
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir);
            }
        }
    }

    /// <summary>This process's cgroup v2 directory (the <c>0::</c> line of /proc/self/cgroup) under <paramref name="mount"/>.</summary>
    private static string OwnCgroupDirectory(string mount)
    {
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
            {
                return Path.Combine(mount, line[3..].TrimStart('/'));
            }
        }

        return mount;
    }

    /// <summary>A loopback TCP port nobody listens on: bind an ephemeral port, note it, close the listener.</summary>
    private static ushort ClosedTcpPort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return (ushort)port;
    }

    /// <summary>Iterations of <paramref name="loop"/> that take about <paramref name="roundMs"/>.</summary>
    private static long Calibrate(Func<long, long> loop, int roundMs)
    {
        loop(2_000); // warm-up: JIT, socket caches
        const long Probe = 20_000;
        var sw = Stopwatch.StartNew();
        loop(Probe);
        double ns = sw.Elapsed.TotalNanoseconds / Probe;
        return Math.Max(1_000, (long)(roundMs * 1e6 / Math.Max(ns, 1)));
    }

    private static double Time(Func<long, long> loop, long iterations, string what)
    {
        var sw = Stopwatch.StartNew();
        long failures = loop(iterations);
        double ns = sw.Elapsed.TotalNanoseconds;
        if (failures != 0)
        {
            throw new InvalidOperationException($"{what} loop: {failures} of {iterations} calls failed unexpectedly");
        }

        return EnforceBenchMath.NsPerCall(iterations, ns);
    }
}
