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
    public static int Run(string[] args, TextWriter o, TextWriter err)
    {
        var a = ArgReader.Parse(args, ["--unpin"], ["--pin-root", "--cgroup-pin-root"]);
        if (a.Errors.Count > 0 || a.Positional.Count > 0)
        {
            err.WriteLine("usage: harrier stop [--unpin] [--pin-root DIR] [--cgroup-pin-root DIR]");
            return 2;
        }

        int rc = 0;
        if (File.Exists("/etc/systemd/system/harrier.service") && File.Exists("/bin/systemctl"))
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
}
