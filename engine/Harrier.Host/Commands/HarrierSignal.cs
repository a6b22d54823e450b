using System.Globalization;
using Harrier.Interop;

namespace Harrier.Host.Commands;

/// <summary>
/// Signals a running Harrier from the Harrier executable (<c>harrier reload --pid</c>, <c>harrier stop --pid</c>): with
/// self-protection on, only the same executable and the service manager may. Refuses a pid running another program.
/// </summary>
internal static class HarrierSignal
{
    public const int SigHup = 1;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/>; false (with the reason on <paramref name="err"/>) when refused or failed.</summary>
    public static bool Send(string verb, int pid, int signal, string procRoot, string? selfExe, TextWriter err)
    {
        string? exe = ExeOf(procRoot, pid);
        if (exe is null)
        {
            err.WriteLine($"harrier {verb}: no process {pid}");
            return false;
        }

        string? self = selfExe is null ? null : Path.GetFullPath(selfExe);
        if (self is not null && !string.Equals(exe, self, StringComparison.Ordinal))
        {
            err.WriteLine($"harrier {verb}: process {pid} runs {exe}, not {self}: refusing to signal it");
            return false;
        }

        int errno = Signals.Kill(pid, signal);
        if (errno != 0)
        {
            err.WriteLine($"harrier {verb}: signal {signal} to {pid} failed (errno {errno})");
            return false;
        }

        return true;
    }

    /// <summary>The executable a process runs, or null when there is no such process.</summary>
    public static string? ExeOf(string procRoot, int pid)
    {
        try
        {
            return new FileInfo(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "exe")).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses <c>--pid</c>: a pid above 1, else null.</summary>
    public static int? ParsePid(string? text) =>
        text is not null && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 1 ? pid : null;
}
