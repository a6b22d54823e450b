using Harrier.Interop.Bpf;

namespace Harrier.Engine.Loading;

/// <summary>
/// Tests what this kernel supports by loading (and where it makes sense attaching) tiny programs from the
/// embedded <c>probes/features.bpf.o</c>, one at a time. Never throws: every failure becomes a "no" with its
/// reason. Thread-safe with respect to other probes (separate objects), but run it once at a time.
/// </summary>
internal static class FeatureProbe
{
    private static readonly (string Name, string Program, bool Attach)[] Programs =
    [
        ("tracepoint", "feat_tracepoint", true),
        ("raw_tp", "feat_raw_tp", true),
        ("tp_btf", "feat_tp_btf", true),
        ("fentry", "feat_fentry", true),
        ("lsm", "feat_lsm", true),
        ("cgroup_sock_addr", "feat_cgroup_connect4", false),
    ];

    public static FeatureReport Run()
    {
        bool privileged = Capabilities.CanLoadBpf();
        bool libbpf = LibbpfAvailable();
        var checks = new List<FeatureCheck>();
        byte[]? obj = ProbeLoader.ReadEmbeddedObject("probes/features.bpf.o");
        foreach (var (name, program, attach) in Programs)
        {
            checks.Add(!libbpf ? new FeatureCheck(name, false, "libbpf missing")
                : !privileged ? new FeatureCheck(name, false, "not privileged")
                : obj is null ? new FeatureCheck(name, false, "probes/features.bpf.o not built")
                : TryProgram(obj, name, program, attach));
        }

        string lsm = ReadTrimmed("/sys/kernel/security/lsm");
        bool bpfLsm = lsm.Split(',').Contains("bpf");
        bool userNotif = ReadTrimmed("/proc/sys/kernel/seccomp/actions_avail").Split(' ').Contains("user_notif");
        var paths = new List<string>();
        if (bpfLsm && checks.Any(c => c.Name == "lsm" && c.Supported))
        {
            paths.Add("bpf-lsm");
        }

        if (checks.Any(c => c.Name == "cgroup_sock_addr" && c.Supported))
        {
            paths.Add("cgroup-sock-addr");
        }

        if (userNotif)
        {
            paths.Add("seccomp-notify");
        }

        if (checks.Any(c => c.Name == "raw_tp" && c.Supported))
        {
            paths.Add("signal-kill");
        }

        return new FeatureReport
        {
            KernelRelease = ReadTrimmed("/proc/sys/kernel/osrelease"),
            Privileged = privileged,
            BtfPresent = File.Exists("/sys/kernel/btf/vmlinux"),
            BpffsMounted = ProbeLoader.IsMounted("/sys/fs/bpf"),
            LibbpfAvailable = libbpf,
            ProgramTypes = checks,
            LsmList = lsm,
            BpfLsmActive = bpfLsm,
            SeccompUserNotif = userNotif,
            EnforcementPaths = paths,
        };
    }

    private static FeatureCheck TryProgram(byte[] elf, string name, string program, bool attach)
    {
        try
        {
            Libbpf.InstallPrintCallback();
            using var obj = Libbpf.OpenObject(elf, "harrier_features");
            nint h = obj.DangerousGetHandle();
            nint target = 0;
            for (nint p = Libbpf.bpf_object__next_program(h, 0); p != 0; p = Libbpf.bpf_object__next_program(h, p))
            {
                bool mine = Libbpf.ProgramName(p) == program;
                Libbpf.bpf_program__set_autoload(p, mine);
                if (mine)
                {
                    target = p;
                }
            }

            if (target == 0)
            {
                return new FeatureCheck(name, false, $"program {program} missing from features.bpf.o");
            }

            Libbpf.LoadObject(obj);
            if (attach)
            {
                using var link = Libbpf.Attach(target);
            }

            return new FeatureCheck(name, true, string.Empty);
        }
        catch (BpfException ex)
        {
            return new FeatureCheck(name, false, $"{ex.Operation}: {BpfException.ErrnoName(ex.Errno)}");
        }
    }

    private static bool LibbpfAvailable()
    {
        try
        {
            return Libbpf.libbpf_num_possible_cpus() > 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static string ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
