namespace Harrier.Host.Commands;

/// <summary>
/// <c>harrier reload --pid PID</c>: asks a running Harrier to reload its configuration and rules (SIGHUP). The unit's
/// <c>ExecReload</c> uses it rather than <c>kill</c>: with self-protection on, only the Harrier executable itself (and
/// the service manager) may signal the protected process. Refuses a pid that is not running this executable.
/// Exit codes: 0 sent, 1 refused or failed (the reason on stderr), 2 usage.
/// </summary>
internal static class ReloadCommand
{
    public static int Run(string[] args, TextWriter o, TextWriter err) => Run(args, o, err, "/proc", Environment.ProcessPath);

    internal static int Run(string[] args, TextWriter o, TextWriter err, string procRoot, string? selfExe)
    {
        var a = ArgReader.Parse(args, [], ["--pid"]);
        if (a.Errors.Count > 0 || a.Positional.Count > 0 || HarrierSignal.ParsePid(a.Value("--pid")) is not { } pid)
        {
            err.WriteLine("usage: harrier reload --pid PID   (PID > 1: the running harrier, e.g. systemd's $MAINPID)");
            return 2;
        }

        if (!HarrierSignal.Send("reload", pid, HarrierSignal.SigHup, procRoot, selfExe, err))
        {
            return 1;
        }

        o.WriteLine($"harrier reload: SIGHUP sent to {pid}");
        return 0;
    }
}
