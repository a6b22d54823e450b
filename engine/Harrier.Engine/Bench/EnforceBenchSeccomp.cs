using System.Diagnostics;
using System.Globalization;

namespace Harrier.Engine.Bench;

/// <summary>
/// The seccomp path of <c>harrier bench enforce</c>: the storm workload (open+close, 2 syscalls per pair) runs without
/// any filter, under <c>harrier-seccomp-exec</c> with an allow-all profile, and with a realistic deny-list profile
/// (<c>seccomp/profiles/baseline.yaml</c> when found beside the program or in the checkout, else an equivalent built-in
/// list), in rotating order per round. Filters are compiled by <c>harrier seccomp compile --hex</c> (the same compiler
/// <c>harrier exec</c> uses). Workload start-up is excluded: storm counts pairs inside its own time window.
/// Not thread-safe; needs no privileges beyond running the launcher.
/// </summary>
internal static class EnforceBenchSeccomp
{
    private const string LauncherName = "harrier-seccomp-exec";

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

    public static Result Measure(string storm, double seconds, int roundMs, int cpu)
    {
        string? harrier = FindHarrier();
        string? launcher = FindLauncher();
        if (harrier is null || launcher is null)
        {
            return new Result(null, null, null, harrier is null
                ? "the harrier program was not found (run the bench as build/harrier, or set HARRIER_BIN)"
                : $"{LauncherName} was not found (make -C seccomp, or set HARRIER_SECCOMP_EXEC)");
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

            string allowHex = Compile(harrier, allowPath);
            string profileHex = Compile(harrier, profilePath);
            int rounds = Math.Max(3, (int)(seconds * 1000 / (3 * roundMs)));
            var none = new List<double>(rounds);
            var allow = new List<double>(rounds);
            var profile = new List<double>(rounds);
            RunStorm(storm, launcher, null, 50, cpu); // warm-up (page cache, launcher binary)
            for (int i = 0; i < rounds; i++)
            {
                // rotate the order so no configuration always runs first
                for (int k = 0; k < 3; k++)
                {
                    switch ((i + k) % 3)
                    {
                        case 0:
                            none.Add(RunStorm(storm, launcher, null, roundMs, cpu));
                            break;
                        case 1:
                            allow.Add(RunStorm(storm, launcher, allowHex, roundMs, cpu));
                            break;
                        default:
                            profile.Add(RunStorm(storm, launcher, profileHex, roundMs, cpu));
                            break;
                    }
                }
            }

            return new Result(EnforceBenchComparison.From(none, profile), EnforceBenchComparison.From(none, allow), profileName, null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            return new Result(null, null, null, ex.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>ns per syscall of one storm run; with <paramref name="filterHex"/> the launcher installs it first.</summary>
    private static double RunStorm(string storm, string launcher, string? filterHex, int ms, int cpu)
    {
        var psi = new ProcessStartInfo(filterHex is null ? storm : launcher) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (filterHex is not null)
        {
            psi.Environment["HARRIER_SECCOMP_FILTER"] = filterHex;
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(storm);
        }

        psi.ArgumentList.Add(ms.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("/dev/null");
        psi.ArgumentList.Add(cpu.ToString(CultureInfo.InvariantCulture));
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 || !long.TryParse(output.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long pairs) || pairs <= 0)
        {
            throw new InvalidOperationException($"storm{(filterHex is null ? string.Empty : " under " + LauncherName)} failed (exit {p.ExitCode}): {err.Result.Trim()}");
        }

        return EnforceBenchMath.NsPerCall(pairs, ms * 1e6, callsPerOperation: 2);
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

    /// <summary>HARRIER_SECCOMP_EXEC, the launcher beside the program, or seccomp/.output in the checkout.</summary>
    private static string? FindLauncher()
    {
        string? env = Environment.GetEnvironmentVariable("HARRIER_SECCOMP_EXEC");
        if (!string.IsNullOrEmpty(env))
        {
            return File.Exists(env) ? env : null;
        }

        string beside = Path.Combine(AppContext.BaseDirectory, LauncherName);
        return File.Exists(beside) ? beside : FindUpward(Path.Combine("seccomp", ".output", LauncherName));
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
