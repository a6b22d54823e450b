namespace Harrier.Kernel.Tests.Observation;

/// <summary>Locates the repository and the helper programs built by probes/Makefile.</summary>
internal static class TestPaths
{
    public static string? RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Harrier.slnx")))
            {
                return d.FullName;
            }
        }

        return null;
    }

    /// <summary>probes/.output/NAME when built, else null.</summary>
    public static string? Tool(string name)
    {
        string? root = RepoRoot();
        if (root is null)
        {
            return null;
        }

        string p = Path.Combine(root, "probes", ".output", name);
        return File.Exists(p) ? p : null;
    }
}
