namespace Harrier.Host;

/// <summary>Command-line entry: parses the verb and dispatches. Exit codes: 0 ok, 1 failure, 2 usage.</summary>
internal static class Cli
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("harrier: not yet wired");
        return 2;
    }
}
