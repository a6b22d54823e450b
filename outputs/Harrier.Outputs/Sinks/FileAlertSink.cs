using System.Globalization;
using Serilog;

namespace Harrier.Outputs.Sinks;

/// <summary>
/// Rolling JSON-lines file sink (Serilog.Sinks.File): one document per line in the sink's format. Settings:
/// <c>Path</c> (required, absolute), <c>RollingInterval</c> (infinite|year|month|day|hour|minute, default day),
/// <c>FileSizeLimitBytes</c> (default 104857600; a full file rolls to <c>name_001.ext</c>), <c>RetainedFileCount</c> (default 31),
/// <c>Buffered</c> (default false: every line reaches the kernel before the batch is reported delivered).
/// </summary>
internal sealed class FileAlertSink : SerilogAlertSink
{
    private static readonly string[] s_known = ["Path", "RollingInterval", "FileSizeLimitBytes", "RetainedFileCount", "Buffered"];

    public FileAlertSink(SinkOptions options)
        : base(options.Name)
    {
        var formatter = new SerilogAlertFormatter(options.Format, options.FlatKeys, syslogPrefix: false);
        string path = options.Get("Path")!;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Fallible(
                w => w.File(
                    formatter,
                    path,
                    fileSizeLimitBytes: long.Parse(options.Get("FileSizeLimitBytes", "104857600")!, CultureInfo.InvariantCulture),
                    buffered: bool.Parse(options.Get("Buffered", "false")!),
                    rollingInterval: ParseInterval(options.Get("RollingInterval", "day")!)!.Value,
                    rollOnFileSizeLimit: true,
                    retainedFileCountLimit: int.Parse(options.Get("RetainedFileCount", "31")!, CultureInfo.InvariantCulture)),
                Failures)
            .CreateLogger();
        Initialise(Logger);
    }

    private Serilog.Core.Logger Logger { get; }

    public static IReadOnlyList<string> Validate(SinkOptions options, string prefix)
    {
        var errors = new List<string>();
        foreach (string key in options.Settings.Keys)
        {
            if (!s_known.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}:{key}: unknown key for a file sink (known: {string.Join(", ", s_known)})");
            }
        }

        string? path = options.Get("Path");
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{prefix}:Path is required for a file sink");
        }
        else if (!System.IO.Path.IsPathRooted(path) || path.EndsWith('/'))
        {
            errors.Add($"{prefix}:Path '{path}' must be an absolute file path");
        }

        if (ParseInterval(options.Get("RollingInterval", "day")!) is null)
        {
            errors.Add($"{prefix}:RollingInterval '{options.Get("RollingInterval")}' is unknown (known: infinite, year, month, day, hour, minute)");
        }

        if (!long.TryParse(options.Get("FileSizeLimitBytes", "104857600"), NumberStyles.None, CultureInfo.InvariantCulture, out long size) || size < 1024)
        {
            errors.Add($"{prefix}:FileSizeLimitBytes '{options.Get("FileSizeLimitBytes")}' must be an integer >= 1024");
        }

        if (!int.TryParse(options.Get("RetainedFileCount", "31"), NumberStyles.None, CultureInfo.InvariantCulture, out int keep) || keep < 1)
        {
            errors.Add($"{prefix}:RetainedFileCount '{options.Get("RetainedFileCount")}' must be an integer >= 1");
        }

        if (!bool.TryParse(options.Get("Buffered", "false"), out _))
        {
            errors.Add($"{prefix}:Buffered '{options.Get("Buffered")}' must be true or false");
        }

        return errors;
    }

    private static RollingInterval? ParseInterval(string s) => s.Trim().ToLowerInvariant() switch
    {
        "infinite" or "none" => RollingInterval.Infinite,
        "year" => RollingInterval.Year,
        "month" => RollingInterval.Month,
        "day" => RollingInterval.Day,
        "hour" => RollingInterval.Hour,
        "minute" => RollingInterval.Minute,
        _ => null,
    };
}
