using System.Globalization;
using System.Net;
using Harrier.Engine.Enforcement;
using Harrier.Interop;
using Harrier.Interop.Bpf;

namespace Harrier.Engine.Bench;

/// <summary>
/// The cgroup path of <c>harrier bench enforce</c>: moves this process into a fresh child cgroup of the cgroup v2 mount,
/// loads <see cref="CgroupEnforcer"/> with a handful of deny entries that do not match the benchmark's destination, and
/// times connect loops (thread CPU time, <see cref="EnforceBenchLoops"/>) with the programs attached and detached in alternating rounds: connect(2) of one UDP socket to
/// 127.0.0.1 (the hook cost alone) and socket + nonblocking TCP connect to a closed loopback port + close. Before
/// measuring it checks that a denied destination really gets EPERM, so "with" is known to run the programs.
/// The process is moved back to its own cgroup and the child removed afterwards. Not thread-safe; needs root.
/// </summary>
internal static class EnforceBenchCgroup
{
    private const uint DeniedProbe = 0x7F000009; // 127.0.0.9
    private const ushort DeniedProbePort = 9;

    /// <summary>Results: null comparisons with an <see cref="Error"/> when the path could not be measured.</summary>
    /// <remarks>
    /// <see cref="NullProgram"/>: the same UDP loop with a do-nothing connect4 program attached instead: the kernel's
    /// fixed cost of any connect4 program (socket lock, program dispatch), so the rest of <see cref="UdpConnect"/> is
    /// Harrier's own program (its deny-table lookups and counters). Null with <see cref="NullProgramError"/> when it
    /// could not be loaded.
    /// </remarks>
    internal sealed record Result(EnforceBenchComparison? UdpConnect, EnforceBenchComparison? TcpConnect, bool DenyVerified, string? Error)
    {
        public EnforceBenchComparison? NullProgram { get; init; }

        /// <summary>Harrier's programs compared with the do-nothing program (same rounds): the cost of Harrier's own logic.</summary>
        public EnforceBenchComparison? HarrierLogic { get; init; }

        public string? NullProgramError { get; init; }
    }

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

            long udpIterations = EnforceBenchLoops.Calibrate(n => EnforceBenchLoops.UdpConnect(udp, n), roundMs);

            // UDP connect in three rotating states: nothing attached, a do-nothing connect4 program, Harrier's programs.
            // The do-nothing program isolates the kernel's fixed cost of running any connect4 program in the same rounds.
            int nullProgram = BenchSyscalls.LoadNullConnect4Program();
            int cgroupFd = nullProgram >= 0 ? LibbpfCgroup.OpenDirectory(dir) : -1;
            string? nullError = nullProgram < 0 ? $"loading a do-nothing cgroup/connect4 program failed: errno {-nullProgram}"
                : cgroupFd < 0 ? $"open({dir}) failed: errno {-cgroupFd}" : null;
            EnforceBenchComparison udpHarrier;
            EnforceBenchComparison? udpNull = null;
            EnforceBenchComparison? udpLogic = null;
            try
            {
                if (nullError is null)
                {
                    int current = 0;
                    void SetState(int state)
                    {
                        if (current == 1)
                        {
                            Check(BenchSyscalls.SetConnect4Program(cgroupFd, nullProgram, attach: false), "detach");
                        }
                        else if (current == 2)
                        {
                            e.Detach(dir);
                        }

                        if (state == 1)
                        {
                            Check(BenchSyscalls.SetConnect4Program(cgroupFd, nullProgram, attach: true), "attach");
                        }
                        else if (state == 2)
                        {
                            e.Attach(dir);
                        }

                        current = state;
                    }

                    var s = EnforceBenchRounds.Rotate(rounds, 3, SetState, () => EnforceBenchLoops.UdpConnect(udp, udpIterations));
                    udpHarrier = EnforceBenchComparison.From(s[0], s[2]);
                    udpNull = EnforceBenchComparison.From(s[0], s[1]);
                    udpLogic = EnforceBenchComparison.From(s[1], s[2]);
                }
                else
                {
                    var (udpWithout, udpWith) = EnforceBenchRounds.Alternate(rounds, Set, () => EnforceBenchLoops.UdpConnect(udp, udpIterations));
                    udpHarrier = EnforceBenchComparison.From(udpWithout, udpWith);
                }
            }
            finally
            {
                if (cgroupFd >= 0)
                {
                    BenchSyscalls.Close(cgroupFd);
                }

                if (nullProgram >= 0)
                {
                    BenchSyscalls.Close(nullProgram);
                }
            }

            long tcpIterations = EnforceBenchLoops.Calibrate(n => EnforceBenchLoops.TcpRefused(closedPort, n), roundMs);
            var (tcpWithout, tcpWith) = EnforceBenchRounds.Alternate(rounds, Set, () => EnforceBenchLoops.TcpRefused(closedPort, tcpIterations));
            return new Result(udpHarrier, EnforceBenchComparison.From(tcpWithout, tcpWith), verified, verified ? null : "a denied destination was not refused with EPERM while attached")
            {
                NullProgram = udpNull,
                HarrierLogic = udpLogic,
                NullProgramError = nullError,
            };
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

            enforcer?.Dispose();
            try
            {
                if (moved)
                {
                    File.WriteAllText(Path.Combine(original, "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                }

                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir); // rmdir of an empty cgroup: this process has left it
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort: the numbers are valid; the leftover cgroup is named in the message.
                Console.Error.WriteLine($"bench enforce: could not leave/remove {dir}: {ex.Message}");
            }
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new InvalidOperationException($"BPF_PROG_{what.ToUpperInvariant()} of the do-nothing connect4 program failed: errno {-rc}");
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
}
