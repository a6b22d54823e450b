using Harrier.Engine.Enrichment;
using Harrier.Engine.Ingest;
using Harrier.Engine.Loading;
using Harrier.Events;
using Harrier.Host.Service;
using Harrier.Rules;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Host.Commands;

/// <summary>
/// <c>harrier events [--json] [--duration SECONDS] [--filter CONDITION] [--config FILE] [-o K=V]</c>: streams enriched
/// events from the running kernel, one per line, until the duration ends or SIGINT/SIGTERM. Prints a stats line
/// (received, lost in kernel and user space) on stderr at the end.
/// </summary>
internal static class EventsCommand
{
    public const string Usage = "usage: harrier events [--json] [--duration SECONDS] [--filter CONDITION] [--config FILE] [-o Section:Key=value]...";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = ArgReader.Parse(args, ["--json"], ["--duration|-d", "--filter|-f", "--config|-c", "-o|--set"]);
        double seconds = a.Number("--duration", 0);
        if (a.Errors.Count > 0 || a.Positional.Count > 0)
        {
            stderr.WriteLine(string.Join(Environment.NewLine, a.Errors.Concat(a.Positional.Select(p => $"unexpected argument '{p}'"))));
            stderr.WriteLine(Usage);
            return 2;
        }

        Func<HarrierEvent, bool>? filter = null;
        if (a.Value("--filter") is { } condition)
        {
            try
            {
                filter = EventFilter.Compile(condition);
            }
            catch (ArgumentException ex)
            {
                stderr.WriteLine($"harrier: {ex.Message}");
                return 2;
            }
        }

        var (settings, _) = EngineSettingsLoader.Load(a.Value("--config"), a.Values("-o"), [], stderr);
        if (settings is null)
        {
            return 78;
        }

        var table = new ProcessTable(settings.Enrichment);
        table.Seed();
        KernelEventSource source;
        try
        {
            source = KernelEventSource.Open(settings.Probes, NullLoggerFactory.Instance);
        }
        catch (ProbeStartupException ex)
        {
            stderr.WriteLine($"harrier: {ex.Message}");
            return 1;
        }

        using (source)
        {
            bool json = a.Has("--json");
            using var stdoutStream = Console.OpenStandardOutput();
            var writer = new EventJsonWriter(stdoutStream, stdout);
            using var done = new ManualResetEventSlim();
            using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; done.Set(); });
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; done.Set(); });
            source.SetInterestingTypes(EventTypes.All.ToArray());
            source.Start(batch =>
            {
                foreach (var e in batch)
                {
                    table.Enrich(e);
                    if (filter is not null && !filter(e))
                    {
                        continue;
                    }

                    if (json)
                    {
                        writer.WriteJson(e);
                    }
                    else
                    {
                        writer.WriteText(e);
                    }
                }

                writer.Flush();
            });
            if (seconds > 0)
            {
                done.Wait(TimeSpan.FromSeconds(seconds));
            }
            else
            {
                done.Wait();
            }

            source.Stop();
            var s = source.Stats;
            stderr.WriteLine($"harrier: {s.Received} events received, {s.KernelLost} lost in kernel, {s.UserLost} lost in user space, {s.DecodeErrors} undecodable");
        }

        return 0;
    }
}
