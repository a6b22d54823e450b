using System.IO.Compression;
using System.Text;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// Probes which enforcement mechanisms this kernel offers and picks, per verdict kind, the strongest:
/// BPF LSM &gt; cgroup BPF or seccomp &gt; in-kernel signal &gt; user-space kill. When BPF LSM is compiled in
/// (<c>CONFIG_BPF_LSM</c> in /boot/config-*, /proc/config.gz, or <c>bpf_lsm_*</c> functions in the kernel BTF) but
/// not active (<c>bpf</c> missing from /sys/kernel/security/lsm), <see cref="EnforcementPathsReport.LsmHint"/> says
/// which <c>lsm=</c> boot parameter turns it on. Reads files only; thread-safe; never throws for missing files.
/// </summary>
public static class EnforcementPaths
{
    /// <summary>
    /// Probes the running system (or a fake tree rooted at <paramref name="root"/>, for tests).
    /// <paramref name="lsmLoadable"/>: false when loading BPF LSM programs already failed with EPERM although
    /// <c>bpf</c> is an active LSM (a sandbox or a security policy refuses them); the report then falls back.
    /// </summary>
    public static EnforcementPathsReport Probe(string root = "/", string? kernelRelease = null, bool? lsmLoadable = null)
    {
        string P(string path) => Path.Combine(root, path.TrimStart('/'));
        kernelRelease ??= ReadTrim(P("/proc/sys/kernel/osrelease")) ?? string.Empty;

        string? lsmList = ReadTrim(P("/sys/kernel/security/lsm"));
        var active = (lsmList ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        bool lsmListed = active.Contains("bpf", StringComparer.Ordinal);
        bool lsmActive = lsmListed && lsmLoadable != false;

        string? configLine = null;
        bool? configSays = ConfigValue(P($"/boot/config-{kernelRelease}"), "CONFIG_BPF_LSM", ref configLine)
            ?? ConfigValue(P("/proc/config.gz"), "CONFIG_BPF_LSM", ref configLine);
        bool btfHasLsm = FileContains(P("/sys/kernel/btf/vmlinux"), "bpf_lsm_file_open"u8);
        bool compiledIn = lsmListed || configSays == true || (configSays is null && btfHasLsm);

        bool btf = File.Exists(P("/sys/kernel/btf/vmlinux"));
        string? seccompActions = ReadTrim(P("/proc/sys/kernel/seccomp/actions_avail"));
        bool seccomp = seccompActions is not null && seccompActions.Contains("user_notif", StringComparison.Ordinal);
        bool cgroup2 = File.Exists(P("/sys/fs/cgroup/cgroup.controllers")) || File.Exists(P("/sys/fs/cgroup/unified/cgroup.controllers"));

        string? hint = null;
        if (lsmListed && !lsmActive)
        {
            hint = "BPF LSM is an active LSM but this environment refused to load its programs (EPERM): a sandbox, "
                + "container or security policy blocks BPF_PROG_TYPE_LSM; run Harrier on the host with CAP_BPF, CAP_SYS_ADMIN and CAP_PERFMON.";
        }
        else if (compiledIn && !lsmActive)
        {
            var wanted = active.Where(a => a != "bpf").Append("bpf");
            hint = $"BPF LSM is built into this kernel but not active: boot with lsm={string.Join(',', wanted)} "
                + "(the current list plus bpf, e.g. in GRUB_CMDLINE_LINUX) to get in-kernel deny for exec, file and network verdicts.";
        }
        else if (!compiledIn)
        {
            hint = "This kernel has no BPF LSM (CONFIG_BPF_LSM is not set): verdicts fall back to cgroup/seccomp and signals.";
        }

        var best = new Dictionary<EnforcementVerdict, EnforcementMechanism>();
        EnforcementMechanism fallback = btf ? EnforcementMechanism.InKernelSignal : EnforcementMechanism.UserSpaceKill;
        best[EnforcementVerdict.ExecDeny] = lsmActive ? EnforcementMechanism.BpfLsm : seccomp ? EnforcementMechanism.Seccomp : fallback;
        best[EnforcementVerdict.FileDeny] = lsmActive ? EnforcementMechanism.BpfLsm : seccomp ? EnforcementMechanism.Seccomp : fallback;
        best[EnforcementVerdict.NetworkDeny] = lsmActive ? EnforcementMechanism.BpfLsm
            : cgroup2 ? EnforcementMechanism.Cgroup
            : seccomp ? EnforcementMechanism.Seccomp : fallback;
        best[EnforcementVerdict.Kill] = lsmActive ? EnforcementMechanism.BpfLsm : fallback;

        return new EnforcementPathsReport
        {
            KernelRelease = kernelRelease,
            ActiveLsms = active,
            BpfLsmCompiledIn = compiledIn,
            BpfLsmActive = lsmActive,
            BpfLsmListed = lsmListed,
            SeccompUserNotif = seccomp,
            CgroupV2 = cgroup2,
            KernelBtf = btf,
            Best = best,
            LsmHint = hint,
        };
    }

    private static string? ReadTrim(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True/false when the config file sets/unsets the option; null when the file is unreadable.</summary>
    private static bool? ConfigValue(string path, string option, ref string? line)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }
            using Stream raw = File.OpenRead(path);
            using Stream s = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            using var reader = new StreamReader(s, Encoding.UTF8);
            while (reader.ReadLine() is { } l)
            {
                if (l.StartsWith(option + "=", StringComparison.Ordinal))
                {
                    line = l;
                    return l.EndsWith("=y", StringComparison.Ordinal);
                }
            }
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null;
        }
    }

    private static bool FileContains(string path, ReadOnlySpan<byte> needle)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }
            return File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
