using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Harrier.Events;
using Harrier.Outputs.Formatting;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Settings.Configuration;

namespace Harrier.Outputs.Sinks;

/// <summary>
/// Sink type <c>serilog</c>: any Serilog sink, configured in the sink entry exactly as Serilog.Settings.Configuration reads a
/// <c>Serilog</c> section — <c>WriteTo</c> (required) and <c>Using</c> (assemblies of third-party sinks). Each alert is one
/// event whose message is the alert document in the sink's <c>Format</c> (template <c>{Alert:l}</c>, so an
/// <c>outputTemplate</c> of <c>{Message}{NewLine}</c> writes the document as it is), at the level matching its priority,
/// with <c>Rule</c>, <c>Priority</c>, <c>Uuid</c>, <c>Source</c> and <c>Hostname</c> as properties for structured sinks.
/// Every <c>WriteTo</c> entry is wrapped so that a failure of that Serilog sink fails the batch (retried, then counted)
/// instead of vanishing into SelfLog, and an entry that names no known sink method is an error at start.
/// Used by one worker at a time.
/// </summary>
internal sealed partial class ConfiguredSerilogAlertSink : SerilogAlertSink
{
    private static readonly MessageTemplate s_template = new MessageTemplateParser().Parse("{" + SerilogAlertFormatter.AlertProperty + ":l}");

    private readonly AlertFormat _format;
    private readonly bool _flatKeys;

    public ConfiguredSerilogAlertSink(SinkOptions options)
        : base(options.Name)
    {
        _format = options.Format;
        _flatKeys = options.FlatKeys;
        var wrapped = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var entries = new SortedDictionary<int, Dictionary<string, string?>>();
        foreach ((string key, string? value) in options.Settings)
        {
            if (WriteToKey().Match(key) is { Success: true } m)
            {
                int index = int.Parse(m.Groups["i"].Value, CultureInfo.InvariantCulture);
                if (!entries.TryGetValue(index, out Dictionary<string, string?>? entry))
                {
                    entries[index] = entry = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                }

                entry[m.Groups["rest"].Value] = value;
            }
        }

        // WriteTo:i:X  ->  WriteTo:i:Name = HarrierGuard, Args:token = T, Args:configure:0:X (Serilog.Settings.Configuration
        // turns the configure array into an Action<LoggerSinkConfiguration>; HarrierGuard makes what it builds fallible).
        string token = Guid.NewGuid().ToString("N");
        int slot = 0;
        foreach (Dictionary<string, string?> entry in entries.Values)
        {
            wrapped[$"Serilog:WriteTo:{slot}:Name"] = nameof(SerilogGuardExtensions.HarrierGuard);
            wrapped[$"Serilog:WriteTo:{slot}:Args:token"] = token;
            foreach ((string rest, string? value) in entry)
            {
                wrapped[$"Serilog:WriteTo:{slot}:Args:configure:0:{rest}"] = value;
            }

            slot++;
        }

        List<Assembly> assemblies =
        [
            typeof(SerilogGuardExtensions).Assembly,
            typeof(ConsoleLoggerConfigurationExtensions).Assembly,
            typeof(FileLoggerConfigurationExtensions).Assembly,
            typeof(Log).Assembly,
        ];
        foreach ((string key, string? value) in options.Settings)
        {
            if (key.StartsWith("Using:", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value))
            {
                assemblies.Add(Assembly.Load(new AssemblyName(value)));
            }
        }

        // Serilog.Settings.Configuration only logs an unknown sink name to SelfLog; here it is an error at start.
        var missing = entries
            .Where(kv => !HasSinkMethod(assemblies, kv.Value.GetValueOrDefault("Name")))
            .Select(kv => $"WriteTo:{kv.Key}:Name '{kv.Value.GetValueOrDefault("Name")}' is no Serilog sink method in {string.Join(", ", assemblies.Select(a => a.GetName().Name))} (misspelt, or its assembly missing from Using)")
            .ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException(string.Join("; ", missing));
        }

        IConfigurationRoot config = new ConfigurationBuilder().AddInMemoryCollection(wrapped).Build();
        var readerOptions = new ConfigurationReaderOptions(assemblies.Distinct().ToArray())
        {
            AllowInternalTypes = true,
            AllowInternalMethods = true,
        };
        Guards[token] = Failures;
        try
        {
            Initialise(new LoggerConfiguration().MinimumLevel.Verbose().ReadFrom.Configuration(config, readerOptions).CreateLogger());
        }
        finally
        {
            Guards.TryRemove(token, out _);
        }
    }

    /// <summary>Failure listeners of the sinks being built, by token (only while a constructor runs).</summary>
    internal static ConcurrentDictionary<string, ILoggingFailureListener> Guards { get; } = new();

    public static IReadOnlyList<string> Validate(SinkOptions options, string prefix)
    {
        var errors = new List<string>();
        bool any = false;
        foreach (string key in options.Settings.Keys)
        {
            if (WriteToKey().Match(key) is { Success: true } m)
            {
                any |= m.Groups["rest"].Value.Equals("Name", StringComparison.OrdinalIgnoreCase);
            }
            else if (!key.StartsWith("Using:", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}:{key}: unknown key for a serilog sink (known: WriteTo, Using)");
            }
        }

        if (!any)
        {
            errors.Add($"{prefix}:WriteTo must list at least one Serilog sink ({{ \"Name\": \"File\", \"Args\": {{ ... }} }})");
        }

        foreach ((string key, string? value) in options.Settings)
        {
            if (WriteToKey().Match(key) is { Success: true } m && m.Groups["rest"].Value.Equals("Name", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{prefix}:{key} must name a Serilog sink");
            }
        }

        return errors;
    }

    protected override LogEvent ToLogEvent(Alert alert) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(AlertTime.ToUnixMilliseconds(alert.TimeNs)),
        SerilogAlertFormatter.Level(alert.Priority),
        null,
        s_template,
        [
            new LogEventProperty(SerilogAlertFormatter.AlertProperty, new ScalarValue(AlertFormatter.ToText(alert, _format, _flatKeys))),
            new LogEventProperty("Rule", new ScalarValue(alert.Rule)),
            new LogEventProperty("Priority", new ScalarValue(Priorities.Name(alert.Priority))),
            new LogEventProperty("Uuid", new ScalarValue(alert.Uuid.ToString("D"))),
            new LogEventProperty("Source", new ScalarValue(alert.Source)),
            new LogEventProperty("Hostname", new ScalarValue(alert.Hostname)),
        ]);

    [GeneratedRegex(@"^WriteTo:(?<i>[0-9]+):(?<rest>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex WriteToKey();

    private static bool HasSinkMethod(IEnumerable<Assembly> assemblies, string? name)
        => name is not null && assemblies.Distinct()
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsAbstract && t.IsSealed)
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Any(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
                && m.GetParameters() is { Length: > 0 } p && p[0].ParameterType == typeof(LoggerSinkConfiguration));
}
