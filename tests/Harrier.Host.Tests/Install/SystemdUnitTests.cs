using System.Diagnostics;
using System.Runtime.Versioning;
using Harrier.Host.Install;

namespace Harrier.Host.Tests.Install;

/// <summary>Checks deploy/harrier.service with <c>systemd-analyze verify</c> after installing into a temporary root.
/// systemd-analyze comes from Debian's <c>systemd</c> package: installed with apt-get when missing (root needed);
/// without it the test prints why and returns (xunit 2 has no dynamic skip).</summary>
[SupportedOSPlatform("linux")]
public sealed class SystemdUnitTests
{
    [Fact]
    public void Unit_DeclaresWhatHarrierNeeds()
    {
        var unit = File.ReadAllLines(RepoFiles.Unit).Where(l => l.Length > 0 && l[0] != '#').ToList();

        Assert.Contains("Type=notify", unit);
        Assert.Contains(unit, l => l.StartsWith("WatchdogSec=", StringComparison.Ordinal));
        Assert.Contains("Restart=on-failure", unit);
        Assert.Contains(unit, l => l.StartsWith("StartLimitIntervalSec=", StringComparison.Ordinal));
        Assert.Contains(unit, l => l.StartsWith("StartLimitBurst=", StringComparison.Ordinal));
        Assert.Contains("ExecReload=/usr/local/lib/harrier/harrier reload --pid $MAINPID", unit);
        Assert.Contains("ExecStart=/usr/local/lib/harrier/harrier run --config /etc/harrier/appsettings.json", unit);
        Assert.Contains("ProtectSystem=strict", unit);
        Assert.Contains("StateDirectory=harrier", unit);
        Assert.Contains("ReadWritePaths=/var/lib/harrier", unit);
        Assert.Contains("RuntimeDirectory=harrier", unit); // /run/harrier/seccomp: ProtectSystem=strict leaves /run read-only
        Assert.Contains("NoNewPrivileges=yes", unit);
        // Policy paths resolve through /proc/1/root when the namespace is private: /tmp and /home can be hidden.
        Assert.Contains("PrivateTmp=yes", unit);
        Assert.Contains("ProtectHome=yes", unit);
        Assert.Contains("LimitMEMLOCK=infinity", unit);
        var caps = unit.Single(l => l.StartsWith("CapabilityBoundingSet=", StringComparison.Ordinal))["CapabilityBoundingSet=".Length..].Split(' ');
        Assert.Equal(
            new[] { "CAP_BPF", "CAP_DAC_READ_SEARCH", "CAP_KILL", "CAP_NET_ADMIN", "CAP_PERFMON", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE" },
            caps.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(unit, l => l.StartsWith("ProtectProc=invisible", StringComparison.Ordinal) || l.StartsWith("ProcSubset=pid", StringComparison.Ordinal));
        Assert.DoesNotContain(unit, l => l.StartsWith("MemoryDenyWriteExecute=yes", StringComparison.Ordinal)); // breaks the .NET JIT
    }

    [Fact]
    public void Unit_SystemdAnalyzeVerify_Passes()
    {
        var analyze = FindOrInstallSystemdAnalyze(out var why);
        if (analyze is null)
        {
            Console.WriteLine($"SystemdUnitTests: skipped: {why}");
            return;
        }

        using var dir = new TempDirectory();
        var program = dir.Combine("build");
        var root = dir.Combine("root");
        dir.Write("build/harrier", "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(program, "harrier"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        dir.Write("build/appsettings.json", File.ReadAllText(RepoFiles.AppSettings));
        dir.Write("build/deploy/harrier.service", File.ReadAllText(RepoFiles.Unit));
        dir.Write("build/rules/default/r.yaml", "[]\n");
        Assert.Equal(0, InstallCommand.Run(["install", "--root", root], TextWriter.Null, program));

        // verify --root resolves the unit's dependencies and executables inside the root: give it systemd's own
        // units (ExecStart and ExecReload both run the installed harrier).
        CopyTree("/usr/lib/systemd/system", Path.Combine(root, "usr/lib/systemd/system"));

        var (code, output) = Exec(analyze, "verify", "--man=no", $"--root={root}", Path.Combine(root, InstallLayout.UnitFile));

        Assert.True(code == 0, output);
        Assert.True(output.Trim().Length == 0, "systemd-analyze warned:\n" + output);
    }

    [Fact]
    public void Unit_SystemdAnalyzeVerify_CatchesABrokenUnit()
    {
        var analyze = FindOrInstallSystemdAnalyze(out var why);
        if (analyze is null)
        {
            Console.WriteLine($"SystemdUnitTests: skipped: {why}");
            return;
        }

        using var dir = new TempDirectory();
        var broken = dir.Write("harrier.service", File.ReadAllText(RepoFiles.Unit).Replace("Type=notify", "Type=notifyy\nBogusKey=1", StringComparison.Ordinal));

        var (_, output) = Exec(analyze, "verify", "--man=no", broken);

        // The same check as above must see these mistakes, or its silence would prove nothing.
        Assert.Contains("notifyy", output, StringComparison.Ordinal);
        Assert.Contains("BogusKey", output, StringComparison.Ordinal);
    }

    private static string? FindOrInstallSystemdAnalyze(out string why)
    {
        why = string.Empty;
        foreach (var candidate in new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        if (!Environment.IsPrivilegedProcess || !File.Exists("/usr/bin/apt-get"))
        {
            why = "systemd-analyze missing and apt-get unavailable (needs root and Debian's apt)";
            return null;
        }

        var (code, output) = Exec("/usr/bin/apt-get", "install", "-y", "--no-install-recommends", "systemd");
        if (code != 0)
        {
            Exec("/usr/bin/apt-get", "update");
            (code, output) = Exec("/usr/bin/apt-get", "install", "-y", "--no-install-recommends", "systemd");
        }

        if (code == 0 && File.Exists("/usr/bin/systemd-analyze"))
        {
            return "/usr/bin/systemd-analyze";
        }

        why = "apt-get install systemd failed: " + output[^Math.Min(output.Length, 400)..];
        return null;
    }

    private static (int Code, string Output) Exec(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static void CopyTree(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(target, Path.GetRelativePath(source, entry.FullName));
            if (entry.LinkTarget is { } link)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                File.CreateSymbolicLink(dest, link);
            }
            else if (entry is DirectoryInfo)
            {
                Directory.CreateDirectory(dest);
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                File.Copy(entry.FullName, dest);
            }
        }
    }
}
