namespace Harrier.Host.Tests;

/// <summary>Finds files of the repository (the test runs from tests/Harrier.Host.Tests/bin/...).</summary>
internal static class RepoFiles
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Harrier.slnx")))
                {
                    return dir.FullName;
                }
            }

            if (Environment.GetEnvironmentVariable("HARRIER_REPO_ROOT") is { Length: > 0 } fromEnvironment)
            {
                return fromEnvironment; // a build outside the checkout
            }

            throw new InvalidOperationException("repository root (Harrier.slnx) not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Unit => Path.Combine(Root, "deploy", "harrier.service");

    public static string AppSettings => Path.Combine(Root, "appsettings.json");
}
