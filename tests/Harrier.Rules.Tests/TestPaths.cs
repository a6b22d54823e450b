namespace Harrier.Rules.Tests;

/// <summary>Finds repository paths from the test's base directory.</summary>
internal static class TestPaths
{
    /// <summary>The repo root (the directory holding Harrier.slnx).</summary>
    public static string RepoRoot
    {
        get
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d is not null && !File.Exists(Path.Combine(d.FullName, "Harrier.slnx")))
            {
                d = d.Parent;
            }

            return d?.FullName ?? throw new InvalidOperationException("repo root not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Falco's stable rules beside the repo (shared/falco-rules), or null when absent.</summary>
    public static string? FalcoRules
    {
        get
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d is not null)
            {
                var candidate = Path.Combine(d.FullName, "shared", "falco-rules", "falco_rules.yaml");
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                d = d.Parent;
            }

            return null;
        }
    }

    public static string DefaultRules => Path.Combine(RepoRoot, "rules", "default");
}
