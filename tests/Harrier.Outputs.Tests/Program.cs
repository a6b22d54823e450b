using Harrier.Outputs.Tests.Kafka;

namespace Harrier.Outputs.Tests;

/// <summary>
/// Entry point used only when the test assembly is started as a child process (<c>dotnet Harrier.Outputs.Tests.dll verb ...</c>);
/// xunit loads the assembly as a library and never calls this.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == SpoolChild.Verb)
        {
            return SpoolChild.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "bench-outputs")
        {
            // Same code as `harrier bench outputs`, runnable before the host wires it.
            return Harrier.Outputs.Kafka.OutputsBench.Run(args[1..], Console.Out);
        }

        Console.Error.WriteLine($"usage: Harrier.Outputs.Tests {SpoolChild.Verb} SPOOL_DIR BOOTSTRAPS TOPIC COUNT");
        return 2;
    }
}
