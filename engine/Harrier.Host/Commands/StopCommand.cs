using Harrier.Engine.Enforcement;

namespace Harrier.Host.Commands;

/// <summary>
/// <c>harrier stop [--unpin]</c>: stops the running service (systemctl stop, when systemd runs it) and, with
/// <c>--unpin</c>, removes the pinned enforcement programs and maps (BPF LSM under <c>--pin-root</c>, default
/// <c>/sys/fs/bpf/harrier/lsm</c>; cgroup network programs under <c>--cgroup-pin-root</c>, default beside it:
/// <c>/sys/fs/bpf/harrier/cgroup</c>) so no policy stays in force. Without <c>--unpin</c> pinned policy
/// deliberately outlives the process.
/// </summary>
internal static class StopCommand
{
    public static int Run(string[] args, TextWriter o, TextWriter err) => Run(args, o, err, "/proc", Environment.ProcessPath);

    internal static int Run(string[] args, TextWriter o, TextWriter err, string procRoot, string? selfExe)
    {
        var a = ArgReader.Parse(args, ["--unpin"], ["--pin-root", "--cgroup-pin-root", "--pid"]);
        int? pid = HarrierSignal.ParsePid(a.Value("--pid"));
        if (a.Errors.Count > 0 || a.Positional.Count > 0 || (a.Value("--pid") is not null && pid is null))
        {
            err.WriteLine("usage: harrier stop [--pid PID] [--unpin] [--pin-root DIR] [--cgroup-pin-root DIR]");
            return 2;
        }

        int rc = 0;
        if (pid is { } target)
        {
            // A harrier not run by systemd (or self-protected: only this executable may signal it): SIGTERM, then wait.
            rc = StopPid(target, procRoot, selfExe, o, err) ? 0 : 1;
        }
        else if (File.Exists("/etc/systemd/system/harrier.service") && File.Exists("/bin/systemctl"))
        {
            using var p = System.Diagnostics.Process.Start("/bin/systemctl", ["stop", "harrier.service"]);
            p.WaitForExit();
            o.WriteLine(p.ExitCode == 0 ? "harrier.service stopped" : $"systemctl stop harrier.service failed (exit {p.ExitCode})");
            rc = p.ExitCode == 0 ? 0 : 1;
        }

        if (a.Has("--unpin"))
        {
            string root = a.Value("--pin-root") ?? EnforcementPins.DefaultLsmRoot;
            string cgroupRoot = a.Value("--cgroup-pin-root") ?? CgroupEnforcerOptions.PinRootBeside(root);
            if (!EnforcementPins.Remove(root, cgroupRoot, o, err))
            {
                rc = 1;
            }
        }

        return rc;
    }

    private static bool StopPid(int pid, string procRoot, string? selfExe, TextWriter o, TextWriter err)
    {
        if (!HarrierSignal.Send("stop", pid, HarrierSignal.SigTerm, procRoot, selfExe, err))
        {
            return false;
        }

        // Graceful stop drains queued alerts into the spool: allow it the unit's stop timeout.
        var until = DateTime.UtcNow.AddSeconds(90);
        while (HarrierSignal.ExeOf(procRoot, pid) is not null)
        {
            if (DateTime.UtcNow > until)
            {
                err.WriteLine($"harrier stop: {pid} still running 90 s after SIGTERM");
                return false;
            }

            using var tick = new ManualResetEventSlim();
            tick.Wait(100); // polling for the process to be gone, not a correctness wait
        }

        o.WriteLine($"harrier stop: {pid} stopped");
        return true;
    }
}
