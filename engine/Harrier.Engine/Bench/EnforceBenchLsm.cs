using System.Diagnostics;
using System.Globalization;
using Harrier.Engine.Enforcement;
using Harrier.Interop;
using Harrier.Interop.Bpf;

namespace Harrier.Engine.Bench;

/// <summary>
/// The BPF LSM path of <c>harrier bench enforce</c>: loads <see cref="LsmEnforcer"/> into a private pin directory with
/// policies that do not match the workload (a file, an executable and networks the loops never touch) and compares
/// open(/dev/null)+close and UDP connect loops (thread CPU time) and exec (/bin/true from a shell loop, wall time)
/// without and with the programs. Detaching LSM programs is asynchronous in the kernel (trampoline release after an
/// RCU tasks grace period, seconds), so the rounds run in phases rather than alternating: without, with, and without
/// again once the detach is observed; the added cost is the difference of medians
/// (<see cref="EnforceBenchComparison.FromPhases"/>). While loaded, opening the protected file must fail: that proves
/// the "with" phase ran the programs. When the kernel refuses BPF LSM (no <c>bpf</c> in <c>lsm=</c>, a sandbox, EPERM)
/// the reason is returned instead. Not thread-safe; needs root.
/// </summary>
internal static class EnforceBenchLsm
{
    private static readonly TimeSpan DetachTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Results (ns per hooked call) or the reason BPF LSM could not be loaded.</summary>
    internal sealed record Result(EnforceBenchComparison? Open, EnforceBenchComparison? Exec, EnforceBenchComparison? Connect, string? Unavailable, string? Error)
    {
        /// <summary>Opening the policy's file failed while loaded (the programs were on the path).</summary>
        public bool DenyVerified { get; init; }
    }

    public static Result Measure(double seconds, int roundMs)
    {
        string pinRoot = "/sys/fs/bpf/harrier-bench-" + Guid.NewGuid().ToString("N")[..12];
        var dir = Directory.CreateTempSubdirectory("harrier-bench-lsm-");
        string protectedFile = Path.Combine(dir.FullName, "protected");
        LsmEnforcer? enforcer = null;
        int udp = -1;
        try
        {
            File.WriteAllText(protectedFile, "x");
            string deniedExe = Path.Combine(dir.FullName, "denied-true");
            File.Copy("/bin/true", deniedExe);
            udp = BenchSyscalls.OpenUdp4();
            if (udp < 0)
            {
                return new Result(null, null, null, null, $"socket(AF_INET, SOCK_DGRAM) failed: errno {-udp}");
            }

            int u = udp;
            long udpIterations = EnforceBenchLoops.Calibrate(n => EnforceBenchLoops.UdpConnect(u, n), roundMs);
            long openIterations = EnforceBenchLoops.Calibrate(EnforceBenchLoops.OpenClosePerPair, roundMs);
            int execs = Math.Max(20, (int)(roundMs * 1e6 / Math.Max(1, TimeExec(20))));
            int rounds = Math.Max(2, (int)(seconds * 1000 / (2 * 3 * roundMs)));
            var open = (Without: new List<double>(), With: new List<double>());
            var exec = (Without: new List<double>(), With: new List<double>());
            var conn = (Without: new List<double>(), With: new List<double>());
            void Phase(bool with, int count)
            {
                for (int i = 0; i < count; i++)
                {
                    (with ? open.With : open.Without).Add(EnforceBenchLoops.OpenClosePerPair(openIterations));
                    (with ? exec.With : exec.Without).Add(TimeExec(execs));
                    (with ? conn.With : conn.Without).Add(EnforceBenchLoops.UdpConnect(u, udpIterations));
                }
            }

            Phase(with: false, (rounds + 1) / 2);
            try
            {
                enforcer = LsmEnforcer.Start(new LsmEnforcerOptions { PinRoot = pinRoot });
            }
            catch (Exception ex) when (ex is LsmEnforcementException or BpfException)
            {
                return new Result(null, null, null, ex.Message, null);
            }

            var errors = enforcer.Apply(
            [
                new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = protectedFile, RuleId = 1, Operations = PolicyOperations.Open },
                new EnforcementPolicy { Kind = PolicyKind.ExecPath, Value = deniedExe, RuleId = 2 },
                new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "10.0.0.0/8", RuleId = 3 },
                new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "192.0.2.0/24:443", RuleId = 4 },
            ]);
            if (errors.Count > 0)
            {
                return new Result(null, null, null, null, "bench policies rejected: " + string.Join("; ", errors));
            }

            bool verified = !CanOpen(protectedFile);
            Phase(with: true, rounds);
            Unload(ref enforcer, pinRoot);
            bool detached = WaitUntilOpenable(protectedFile);
            if (detached)
            {
                Phase(with: false, rounds / 2);
            }

            return new Result(
                EnforceBenchComparison.FromPhases(open.Without, open.With),
                EnforceBenchComparison.FromPhases(exec.Without, exec.With),
                EnforceBenchComparison.FromPhases(conn.Without, conn.With),
                null,
                verified ? null : "the protected file stayed openable while the LSM programs were loaded")
            {
                DenyVerified = verified,
            };
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

            Cleanup(enforcer, pinRoot, dir, protectedFile);
        }
    }

    private static void Unload(ref LsmEnforcer? enforcer, string pinRoot)
    {
        enforcer?.Dispose();
        enforcer = null;
        var errors = LsmEnforcer.Unpin(pinRoot);
        if (errors.Count > 0)
        {
            throw new LsmEnforcementException("unpin of the bench's LSM programs failed: " + string.Join("; ", errors));
        }
    }

    /// <summary>Best-effort cleanup that never throws: unload, wait for the detach, remove the temp files.</summary>
    private static void Cleanup(LsmEnforcer? enforcer, string pinRoot, DirectoryInfo dir, string protectedFile)
    {
        try
        {
            Unload(ref enforcer, pinRoot);
            WaitUntilOpenable(protectedFile);
            dir.Delete(recursive: true);
        }
        catch (Exception ex) when (ex is LsmEnforcementException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"bench enforce: LSM cleanup incomplete ({pinRoot}, {dir.FullName}): {ex.Message}");
        }
    }

    private static bool CanOpen(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            return true;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    /// <summary>Polls until the protected file opens again (the programs detached), up to a minute.</summary>
    private static bool WaitUntilOpenable(string path)
    {
        if (!File.Exists(path))
        {
            return true;
        }

        var sw = Stopwatch.StartNew();
        while (!CanOpen(path))
        {
            if (sw.Elapsed > DetachTimeout)
            {
                return false;
            }

            Thread.Sleep(100); // waiting for the kernel's asynchronous detach, not a correctness wait
        }

        return true;
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
