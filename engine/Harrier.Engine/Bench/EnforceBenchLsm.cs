using System.Diagnostics;
using System.Globalization;
using Harrier.Engine.Enforcement;
using Harrier.Interop;
using Harrier.Interop.Bpf;

namespace Harrier.Engine.Bench;

/// <summary>
/// The BPF LSM path of <c>harrier bench enforce</c>: loads <see cref="LsmEnforcer"/> into a private pin directory with
/// policies that do not match the workload (a file, an executable and a network the loops never touch), and compares
/// open(/dev/null)+close and UDP connect loops (thread CPU time) and exec (/bin/true from a shell loop, wall time) with the programs loaded and unloaded in
/// alternating rounds (unloaded = <see cref="LsmEnforcer.Unpin"/>). When the kernel refuses BPF LSM (no <c>bpf</c> in
/// <c>lsm=</c>, lockdown, EPERM) the reason is returned instead. Not thread-safe; needs root.
/// </summary>
internal static class EnforceBenchLsm
{
    /// <summary>Results (ns per hooked call) or the reason BPF LSM could not be loaded.</summary>
    internal sealed record Result(EnforceBenchComparison? Open, EnforceBenchComparison? Exec, EnforceBenchComparison? Connect, string? Unavailable, string? Error);

    public static Result Measure(double seconds, int roundMs)
    {
        string pinRoot = "/sys/fs/bpf/harrier-bench-" + Guid.NewGuid().ToString("N")[..12];
        var options = new LsmEnforcerOptions { PinRoot = pinRoot };
        var dir = Directory.CreateTempSubdirectory("harrier-bench-lsm-");
        LsmEnforcer? enforcer = null;
        int udp = -1;
        try
        {
            string untouchedFile = Path.Combine(dir.FullName, "protected");
            File.WriteAllText(untouchedFile, "x");
            string untouchedExe = Path.Combine(dir.FullName, "denied-true");
            File.Copy("/bin/true", untouchedExe);
            var policies = new List<EnforcementPolicy>
            {
                new() { Kind = PolicyKind.FilePath, Value = untouchedFile, RuleId = 1 },
                new() { Kind = PolicyKind.ExecPath, Value = untouchedExe, RuleId = 2 },
                new() { Kind = PolicyKind.ConnectCidr, Value = "10.0.0.0/8", RuleId = 3 },
                new() { Kind = PolicyKind.ConnectCidr, Value = "192.0.2.0/24:443", RuleId = 4 },
            };

            void Set(bool on)
            {
                if (on)
                {
                    enforcer = LsmEnforcer.Start(options);
                    var errors = enforcer.Apply(policies);
                    if (errors.Count > 0)
                    {
                        throw new LsmEnforcementException("bench policies rejected: " + string.Join("; ", errors));
                    }
                }
                else
                {
                    enforcer?.Dispose();
                    enforcer = null;
                    var errors = LsmEnforcer.Unpin(pinRoot);
                    if (errors.Count > 0)
                    {
                        throw new LsmEnforcementException("unpin failed: " + string.Join("; ", errors));
                    }
                }
            }

            try
            {
                Set(true); // the availability check: the first load tells whether this kernel runs BPF LSM at all
            }
            catch (Exception ex) when (ex is LsmEnforcementException or BpfException)
            {
                return new Result(null, null, null, ex.Message, null);
            }

            Set(false);
            udp = BenchSyscalls.OpenUdp4();
            if (udp < 0)
            {
                return new Result(null, null, null, null, $"socket(AF_INET, SOCK_DGRAM) failed: errno {-udp}");
            }

            int u = udp;
            int rounds = Math.Max(3, (int)(seconds * 1000 / (3 * 2 * roundMs)));
            long udpIterations = EnforceBenchLoops.Calibrate(n => EnforceBenchLoops.UdpConnect(u, n), roundMs);
            long openIterations = EnforceBenchLoops.Calibrate(EnforceBenchLoops.OpenClosePerPair, roundMs);
            int execs = Math.Max(20, (int)(roundMs * 1e6 / Math.Max(1, TimeExec(50))));
            var (openWithout, openWith) = EnforceBenchRounds.Alternate(rounds, Set, () => EnforceBenchLoops.OpenClosePerPair(openIterations));
            var (execWithout, execWith) = EnforceBenchRounds.Alternate(rounds, Set, () => TimeExec(execs));
            var (connWithout, connWith) = EnforceBenchRounds.Alternate(rounds, Set, () => EnforceBenchLoops.UdpConnect(u, udpIterations));
            return new Result(
                EnforceBenchComparison.From(openWithout, openWith),
                EnforceBenchComparison.From(execWithout, execWith),
                EnforceBenchComparison.From(connWithout, connWith),
                null,
                null);
        }
        catch (Exception ex) when (ex is LsmEnforcementException or BpfException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new Result(null, null, null, null, ex.Message);
        }
        finally
        {
            if (udp >= 0)
            {
                BenchSyscalls.Close(udp);
            }

            enforcer?.Dispose();
            LsmEnforcer.Unpin(pinRoot);
            dir.Delete(recursive: true);
        }
    }

    /// <summary>ns per fork+exec of /bin/true from one shell loop of <paramref name="count"/> iterations.</summary>
    private static double TimeExec(int count)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("i=0; while [ $i -lt \"$0\" ]; do /bin/true; i=$((i+1)); done");
        psi.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start /bin/sh");
        p.WaitForExit();
        double ns = sw.Elapsed.TotalNanoseconds;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"exec loop exited with {p.ExitCode}");
        }

        return EnforceBenchMath.NsPerCall(count, ns);
    }
}
