using System.Diagnostics;
using Harrier.Interop;

namespace Harrier.Engine.Bench;

/// <summary>
/// The seccomp path of <c>harrier bench enforce</c>: an open(/dev/null)+close loop (2 syscalls per iteration) runs on a
/// fresh thread per measurement, without a filter, with an allow-all profile and with a realistic deny-list profile
/// (<c>seccomp/profiles/baseline.yaml</c> when found beside the program or in the checkout, else an equivalent built-in
/// list) installed on that thread alone (no_new_privs + SECCOMP_SET_MODE_FILTER without TSYNC: the filter ends with the
/// thread), in rotating order per round, timed in thread CPU time. Filters are compiled by
/// <c>harrier seccomp compile --hex</c>, the compiler <c>harrier exec</c> uses, so the kernel runs the same program a
/// workload under <c>harrier exec --profile</c> gets (including the seccomp-triggered speculation mitigations).
/// Not thread-safe.
/// </summary>
internal static class EnforceBenchSeccomp
{
    // Used only when baseline.yaml is not found: module/kexec/bpf/keyring/mount/namespace/clock calls refused.
    private const string BuiltInProfile = """
        defaultAction: allow
        syscalls:
          - names: [init_module, finit_module, delete_module, kexec_load, kexec_file_load, bpf, perf_event_open, userfaultfd]
            action: errno
            errno: EPERM
          - names: [add_key, request_key, keyctl, mount, umount2, pivot_root, move_mount, open_tree, fsopen, fsmount, fsconfig, fspick]
            action: errno
            errno: EPERM
          - names: [unshare, setns, reboot, swapon, swapoff, syslog, acct, settimeofday, clock_settime, clock_adjtime, adjtimex]
            action: errno
            errno: EPERM
          - names: [ptrace, process_vm_readv, process_vm_writev]
            action: log
        """;

    /// <summary>Results (ns per syscall). <see cref="Error"/> set and comparisons null when not measurable.</summary>
    internal sealed record Result(EnforceBenchComparison? Profile, EnforceBenchComparison? AllowAll, string? ProfileName, string? Error);

    public static Result Measure(double seconds, int roundMs)
    {
        string? harrier = FindHarrier();
        if (harrier is null)
        {
            return new Result(null, null, null, "the harrier program was not found (run the bench as build/harrier, or set HARRIER_BIN)");
        }

        var dir = Directory.CreateTempSubdirectory("harrier-bench-seccomp-");
        try
        {
            string allowPath = Path.Combine(dir.FullName, "allow.yaml");
            File.WriteAllText(allowPath, "defaultAction: allow\n");
            string? profilePath = FindUpward(Path.Combine("seccomp", "profiles", "baseline.yaml"));
            string profileName = profilePath is null ? "built-in deny list" : "baseline.yaml";
            if (profilePath is null)
            {
                profilePath = Path.Combine(dir.FullName, "deny.yaml");
                File.WriteAllText(profilePath, BuiltInProfile);
            }

            byte[] allowFilter = Convert.FromHexString(Compile(harrier, allowPath));
            byte[] profileFilter = Convert.FromHexString(Compile(harrier, profilePath));
            long iterations = OnThread(null, () => EnforceBenchLoops.Calibrate(EnforceBenchLoops.OpenClosePerPair, roundMs));
            OnThread(profileFilter, () => EnforceBenchLoops.OpenClosePerSyscall(1_000)); // the filter installs and the loop runs under it
            int rounds = Math.Max(3, (int)(seconds * 1000 / (3 * roundMs)));
            var none = new List<double>(rounds);
            var allow = new List<double>(rounds);
            var profile = new List<double>(rounds);
            for (int i = 0; i < rounds; i++)
            {
                // rotate the order so no configuration always runs first
                for (int k = 0; k < 3; k++)
                {
                    switch ((i + k) % 3)
                    {
                        case 0:
                            none.Add(OnThread(null, () => EnforceBenchLoops.OpenClosePerSyscall(iterations)));
                            break;
                        case 1:
                            allow.Add(OnThread(allowFilter, () => EnforceBenchLoops.OpenClosePerSyscall(iterations)));
                            break;
                        default:
                            profile.Add(OnThread(profileFilter, () => EnforceBenchLoops.OpenClosePerSyscall(iterations)));
                            break;
                    }
                }
            }

            return new Result(EnforceBenchComparison.From(none, profile), EnforceBenchComparison.From(none, allow), profileName, null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or FormatException or System.ComponentModel.Win32Exception)
        {
            return new Result(null, null, null, ex.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Runs <paramref name="work"/> on a new thread that first installs <paramref name="filter"/> (when given) on itself.</summary>
    private static T OnThread<T>(byte[]? filter, Func<T> work)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (filter is not null)
                {
                    int rc = BenchSyscalls.InstallThreadSeccompFilter(filter);
                    if (rc != 0)
                    {
                        throw new InvalidOperationException($"seccomp(SECCOMP_SET_MODE_FILTER) on the bench thread failed: errno {-rc}");
                    }
                }

                result = work();
            }
            catch (Exception ex) when (ex is InvalidOperationException)
            {
                error = ex;
            }
        })
        {
            IsBackground = true,
            Name = "bench-seccomp",
        };
        thread.Start();
        thread.Join();
        return error is null ? result : throw new InvalidOperationException(error.Message, error);
    }

    private static string Compile(string harrier, string profile)
    {
        var psi = new ProcessStartInfo(harrier) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "seccomp", "compile", "--hex", profile })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {harrier}");
        var err = p.StandardError.ReadToEndAsync();
        string hex = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        if (p.ExitCode != 0 || hex.Length == 0 || hex.Length % 16 != 0 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new InvalidOperationException($"harrier seccomp compile --hex {profile} failed (exit {p.ExitCode}): {err.Result.Trim()}");
        }

        return hex;
    }

    /// <summary>HARRIER_BIN, the running program when it is harrier, or harrier beside this assembly.</summary>
    private static string? FindHarrier()
    {
        string? env = Environment.GetEnvironmentVariable("HARRIER_BIN");
        if (!string.IsNullOrEmpty(env))
        {
            return File.Exists(env) ? env : null;
        }

        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileName(self) == "harrier")
        {
            return self;
        }

        string beside = Path.Combine(AppContext.BaseDirectory, "harrier");
        return File.Exists(beside) ? beside : null;
    }

    internal static string? FindUpward(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
