using Serilog;
using Serilog.Events;

namespace Harrier.Outputs.Sinks;

/// <summary>
/// Console sink (Serilog.Sinks.Console): one line per alert, Falco's <c>HH:MM:SS.nnnnnnnnn: Priority Output</c> by default
/// (or a JSON format). Under systemd (<c>JOURNAL_STREAM</c> set, or <c>Journald: true</c>) lines go to stderr with a
/// <c>&lt;N&gt;</c> syslog-priority prefix so journald records each alert at its priority.
/// Settings: <c>Journald</c> = auto|true|false.
/// </summary>
internal sealed class ConsoleAlertSink : SerilogAlertSink
{
    public ConsoleAlertSink(SinkOptions options, TextWriter? writer = null, bool? journald = null)
        : base(options.Name)
    {
        bool useJournal = journald ?? Journald(options.Get("Journald", "auto")!);
        var formatter = new SerilogAlertFormatter(options.Format, options.FlatKeys, useJournal);
        LoggerConfiguration config = new LoggerConfiguration().MinimumLevel.Verbose();
        if (writer is not null)
        {
            config = config.WriteTo.Fallible(w => w.Sink(new TextWriterLogSink(formatter, writer)), Failures);
        }
        else
        {
            config = config.WriteTo.Fallible(
                w => w.Console(formatter, standardErrorFromLevel: useJournal ? LogEventLevel.Verbose : null),
                Failures);
        }

        Initialise(config.CreateLogger());
    }

    /// <summary>Whether journald-style output applies for a <c>Journald</c> setting.</summary>
    public static bool Journald(string setting) => setting.Trim().ToLowerInvariant() switch
    {
        "true" or "always" => true,
        "false" or "never" => false,
        _ => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM")),
    };

    public static IReadOnlyList<string> Validate(SinkOptions options, string prefix)
    {
        var errors = new List<string>();
        foreach (string key in options.Settings.Keys)
        {
            if (!key.Equals("Journald", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}:{key}: unknown key for a console sink (known: Journald)");
            }
        }

        if (options.Get("Journald") is { } j && j.Trim().ToLowerInvariant() is not ("auto" or "true" or "false" or "always" or "never"))
        {
            errors.Add($"{prefix}:Journald '{j}' must be auto, true or false");
        }

        return errors;
    }
}
