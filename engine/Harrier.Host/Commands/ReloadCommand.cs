using System.Globalization;
using Harrier.Interop;

namespace Harrier.Host.Commands;

/// <summary>
/// <c>harrier reload --pid PID</c>: asks a running Harrier to reload its configuration and rules (SIGHUP). The unit's
/// <c>ExecReload</c> uses it rather than <c>kill</c>: with self-protection on, only the Harrier executable itself (and
/// the service manager) may signal the protected process. Refuses a pid that is not running this executable.
/// Exit codes: 0 sent, 1 refused or failed (the reason on stderr), 2 usage.
/// </summary>
internal static class ReloadCommand
{
    private const int SigHup = 1;

    public static int Run(string[] args, TextWriter o, TextWriter err) => Run(args, o, err, "/proc", Environment.ProcessPath);

    internal static int Run(string[] args, TextWriter o, TextWriter err, string procRoot, string? selfExe)
    {
        var a = ArgReader.Parse(args, [], ["--pid"]);
        if (a.Errors.Count > 0 || a.Positional.Count > 0 || a.Value("--pid") is not { } text
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 1)
        {
            err.WriteLine("usage: harrier reload --pid PID   (PID > 1: the running harrier, e.g. systemd's $MAINPID)");
            return 2;
        }

        string? exe = ReadLink(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "exe"));
        if (exe is null)
        {
            err.WriteLine($"harrier reload: no process {pid}");
            return 1;
        }

        string? self = selfExe is null ? null : Path.GetFullPath(selfExe);
        if (self is not null && !string.Equals(exe, self, StringComparison.Ordinal))
        {
            err.WriteLine($"harrier reload: process {pid} runs {exe}, not {self}: refusing to signal it");
            return 1;
        }

        int errno = Signals.Kill(pid, SigHup);
        if (errno != 0)
        {
            err.WriteLine($"harrier reload: SIGHUP to {pid} failed (errno {errno})");
            return 1;
        }

        o.WriteLine($"harrier reload: SIGHUP sent to {pid}");
        return 0;
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
