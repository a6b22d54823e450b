using System.Globalization;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Observe;

/// <summary>
/// How a <c>harrier exec</c> process tells a running Harrier daemon which pid runs under which profile: one file
/// <c>DIR/PID.yaml</c> per workload (default DIR <c>/run/harrier/seccomp</c>, created by the daemon or the service
/// install; when it does not exist, nothing is written). The file is the profile in Harrier's YAML format, preceded
/// by <c># harrier-exec: pid=P start=T source=PATH</c>, where T is the process start time from /proc/P/stat
/// (field 22), so a stale file left by a killed <c>harrier exec</c> is never applied to a reused pid. Written
/// atomically (temporary file + rename); removed when the workload exits. Thread-safe (no shared state).
/// </summary>
public static class SeccompRunDirectory
{
    public const string DefaultPath = "/run/harrier/seccomp";

    /// <summary>How long the registration of an exited workload stays readable (late events still get attributed).</summary>
    public static readonly TimeSpan ExitedGrace = TimeSpan.FromSeconds(10);

    private const string HeaderPrefix = "# harrier-exec: ";

    /// <summary>The directory from $HARRIER_SECCOMP_RUNDIR, else <see cref="DefaultPath"/>.</summary>
    public static string Resolve() => Environment.GetEnvironmentVariable("HARRIER_SECCOMP_RUNDIR") is { Length: > 0 } d ? d : DefaultPath;

    /// <summary>
    /// Writes the registration of <paramref name="pid"/>. Returns the file, or null when the directory does not
    /// exist (registration disabled) or the process already exited. Throws <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/>
    /// when it exists but cannot be written, so the caller can report it.
    /// </summary>
    public static string? Register(string directory, int pid, SeccompProfile profile, string procRoot = "/proc")
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        if (StartTime(procRoot, pid) is not { } start)
        {
            return null;
        }

        var file = Path.Combine(directory, pid.ToString(CultureInfo.InvariantCulture) + ".yaml");
        var tmp = file + ".tmp" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var source = profile.Source.Replace('\n', ' ').Replace('\r', ' ');
        File.WriteAllText(tmp, string.Create(CultureInfo.InvariantCulture, $"{HeaderPrefix}pid={pid} start={start} source={source}\n") + SeccompProfileWriter.ToYaml(profile));
        File.Move(tmp, file, overwrite: true);
        return file;
    }

    /// <summary>Removes a registration file; missing files are fine.</summary>
    public static void Unregister(string? file)
    {
        if (file is null)
        {
            return;
        }

        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the daemon treats a file whose process is gone as stale
        }
    }

    /// <summary>
    /// Reads every live registration of the directory: (pid, profile). Files whose process is gone or whose
    /// start time does not match (pid reused) are skipped and, when possible, deleted; unreadable or invalid
    /// files are reported in <paramref name="problems"/>.
    /// </summary>
    public static List<(int Pid, SeccompProfile Profile)> ReadAll(string directory, List<string> problems, string procRoot = "/proc")
    {
        var result = new List<(int, SeccompProfile)>();
        if (!Directory.Exists(directory))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*.yaml"))
        {
            if (!int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                var text = File.ReadAllText(file);
                int eol = text.IndexOf('\n');
                var header = eol > 0 ? text[..eol] : string.Empty;
                if (!header.StartsWith(HeaderPrefix, StringComparison.Ordinal) || !TryParseHeader(header[HeaderPrefix.Length..], out int hpid, out ulong start, out string source) || hpid != pid)
                {
                    problems.Add($"{file}: missing or bad '{HeaderPrefix.Trim()}' header");
                    continue;
                }

                ulong? now = StartTime(procRoot, pid);
                if (now is null && DateTime.UtcNow - File.GetLastWriteTimeUtc(file) < ExitedGrace)
                {
                    // Gone, but recently: its last events (the denial that ended it, procexit) may still be on their
                    // way to the daemon. Kept for ExitedGrace, then removed by a later scan.
                }
                else if (now != start)
                {
                    Unregister(file); // gone for a while, or the pid now belongs to another process
                    continue;
                }

                result.Add((pid, SeccompProfileLoader.Parse(text, file) with { Source = source }));
            }
            catch (SeccompProfileException e)
            {
                problems.Add(e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{file}: {e.Message}");
            }
        }

        return result;
    }

    private static bool TryParseHeader(string header, out int pid, out ulong start, out string source)
    {
        pid = 0;
        start = 0;
        source = string.Empty;
        int s = header.IndexOf(" source=", StringComparison.Ordinal);
        if (s < 0)
        {
            return false;
        }

        source = header[(s + " source=".Length)..];
        var parts = header[..s].Split(' ');
        return parts.Length == 2
            && parts[0].StartsWith("pid=", StringComparison.Ordinal) && int.TryParse(parts[0].AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && parts[1].StartsWith("start=", StringComparison.Ordinal) && ulong.TryParse(parts[1].AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out start);
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks since boot), or null when the process is gone.</summary>
    internal static ulong? StartTime(string procRoot, int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
            int close = stat.LastIndexOf(')');
            if (close < 0)
            {
                return null;
            }

            // after ") ": field 3 (state) is index 0, so field 22 is index 19
            var fields = stat[(close + 2)..].Split(' ');
            return fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out ulong t) ? t : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
