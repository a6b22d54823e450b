using Harrier.Outputs.Spool;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Outputs.Tests.Kafka;

/// <summary>
/// Child process for the SIGKILL test: builds a dispatcher with a Kafka sink over SPOOL_DIR, publishes COUNT alerts
/// (uuid = <see cref="TestAlerts.UuidFor"/>), prints <c>published COUNT</c> and waits to be killed.
/// </summary>
internal static class SpoolChild
{
    public const string Verb = "spool-child";

    public static int Run(string[] args)
    {
        if (args.Length != 4 || !int.TryParse(args[3], out int count))
        {
            Console.Error.WriteLine("spool-child SPOOL_DIR BOOTSTRAPS TOPIC COUNT");
            return 2;
        }

        OutputsOptions options = KafkaTestSupport.Options(args[0], args[1], args[2], fsync: FsyncPolicy.Never);
        AlertDispatcher d = AlertDispatcher.Create(options, NullLoggerFactory.Instance);
        int accepted = 0;
        for (int i = 0; i < count; i++)
        {
            if (d.Publish(TestAlerts.Make(i, host: "host-" + (i % 3))))
            {
                accepted++;
            }
        }

        Console.Out.WriteLine($"published {accepted}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
