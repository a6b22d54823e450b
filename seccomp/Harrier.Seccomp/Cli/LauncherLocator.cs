namespace Harrier.Seccomp.Cli;

/// <summary>Finds the native <c>harrier-seccomp-exec</c>: $HARRIER_SECCOMP_EXEC, then next to the program, then the repository's <c>seccomp/.output</c>.</summary>
internal static class LauncherLocator
{
    public const string FileName = "harrier-seccomp-exec";

    public static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("HARRIER_SECCOMP_EXEC");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return File.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, FileName);
        if (File.Exists(beside))
        {
            return beside;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "seccomp", ".output", FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
