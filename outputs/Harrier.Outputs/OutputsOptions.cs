using System.Globalization;
using System.Text.RegularExpressions;
using Harrier.Events;
using Harrier.Outputs.Formatting;
using Harrier.Outputs.Spool;
using Microsoft.Extensions.Configuration;

namespace Harrier.Outputs;

/// <summary>
/// The <c>Outputs</c> section: the sinks and the spool. <see cref="Bind"/> never throws: unparsable values and unknown
/// keys are collected and reported by <see cref="Validate"/> together with every other problem.
/// </summary>
public sealed partial record OutputsOptions
{
    private static readonly string[] s_sinkKeys =
        ["Name", "Type", "Format", "FlatKeys", "MinimumPriority", "QueueCapacity", "BatchSize", "MaxRetries", "Spool", "RateLimit"];

    public IReadOnlyList<SinkOptions> Sinks { get; init; } = [];

    public SpoolOptions Spool { get; init; } = new();

    internal IReadOnlyList<string> BindErrors { get; init; } = [];

    /// <summary>Reads the section (e.g. <c>configuration.GetSection("Outputs")</c>).</summary>
    public static OutputsOptions Bind(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var errors = new List<string>();
        var sinks = new List<SinkOptions>();
        SpoolOptions spool = new();
        foreach (IConfigurationSection child in section.GetChildren())
        {
            switch (child.Key.ToLowerInvariant())
            {
                case "sinks":
                    foreach (IConfigurationSection s in child.GetChildren())
                    {
                        sinks.Add(BindSink(s, errors));
                    }

                    break;
                case "spool":
                    spool = BindSpool(child, errors);
                    break;
                default:
                    errors.Add($"{child.Path}: unknown key (known: Sinks, Spool)");
                    break;
            }
        }

        return new OutputsOptions { Sinks = sinks, Spool = spool, BindErrors = errors };
    }

    /// <summary>
    /// Every problem, one line each, naming the configuration path: bind errors, unknown sink types, bad type-specific
    /// settings (from the sink factories), duplicate names, and, when a sink spools, an unusable spool directory
    /// (this check creates the directory). Empty when valid.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(BindErrors);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool anySpool = false;
        for (int i = 0; i < Sinks.Count; i++)
        {
            SinkOptions s = Sinks[i];
            string p = $"Outputs:Sinks:{i}";
            if (string.IsNullOrWhiteSpace(s.Name) || !NameRegex().IsMatch(s.Name))
            {
                errors.Add($"{p}:Name '{s.Name}' must be 1-64 letters, digits, '-' or '_'");
            }
            else if (!names.Add(s.Name))
            {
                errors.Add($"{p}:Name '{s.Name}' is used by another sink");
            }

            if (s.QueueCapacity is < 1 or > 10_000_000)
            {
                errors.Add($"{p}:QueueCapacity {s.QueueCapacity} must be between 1 and 10000000");
            }

            if (s.BatchSize is < 1 or > 100_000)
            {
                errors.Add($"{p}:BatchSize {s.BatchSize} must be between 1 and 100000");
            }

            if (s.MaxRetries is < 0 or > 1000)
            {
                errors.Add($"{p}:MaxRetries {s.MaxRetries} must be between 0 and 1000");
            }

            if (s.RateLimit is { } rl && (!(rl.PerRulePerSecond > 0) || double.IsInfinity(rl.PerRulePerSecond) || rl.Burst < 1))
            {
                errors.Add($"{p}:RateLimit needs PerRulePerSecond > 0 and Burst >= 1");
            }

            if (!SinkFactories.TryGet(s.Type, out ISinkFactory? factory))
            {
                errors.Add($"{p}:Type '{s.Type}' is unknown (known: {string.Join(", ", SinkFactories.Types)})");
                continue;
            }

            errors.AddRange(factory.Validate(s, p));
            anySpool |= s.Spool ?? factory.SpoolByDefault;
        }

        IReadOnlyList<string> spoolErrors = Spool.Validate("Outputs:Spool");
        errors.AddRange(spoolErrors);
        if (anySpool && spoolErrors.Count == 0)
        {
            string? problem = ProbeDirectory(Spool.Directory);
            if (problem is not null)
            {
                errors.Add($"Outputs:Spool:Directory '{Spool.Directory}' is not writable: {problem}");
            }
        }

        return errors;
    }

    /// <summary>Throws <see cref="OutputsConfigurationException"/> listing every problem, if any.</summary>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            throw new OutputsConfigurationException(errors);
        }
    }

    internal static AlertFormat? ParseFormat(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "falco" or "json" => AlertFormat.Falco,
        "ocsf" => AlertFormat.Ocsf,
        "ecs" => AlertFormat.Ecs,
        "text" => AlertFormat.Text,
        _ => null,
    };

    private static string? ProbeDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return e.Message;
        }
    }

    private static SinkOptions BindSink(IConfigurationSection s, List<string> errors)
    {
        string name = s["Name"] ?? string.Empty;
        string type = s["Type"] ?? string.Empty;
        if (type.Length == 0)
        {
            errors.Add($"{s.Path}:Type is required");
        }

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (IConfigurationSection child in s.GetChildren())
        {
            if (s_sinkKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            Flatten(child, child.Key, settings);
        }

        AlertFormat format = AlertFormat.Falco;
        if (s["Format"] is { } f)
        {
            if (ParseFormat(f) is { } parsed)
            {
                format = parsed;
            }
            else
            {
                errors.Add($"{s.Path}:Format '{f}' is unknown (known: falco, ocsf, ecs, text)");
            }
        }
        else if (type.Equals("console", StringComparison.OrdinalIgnoreCase))
        {
            format = AlertFormat.Text;
        }

        Priority min = Priority.Debug;
        if (s["MinimumPriority"] is { } mp && !Priorities.TryParse(mp, out min))
        {
            errors.Add($"{s.Path}:MinimumPriority '{mp}' is not a Falco priority (emergency..debug)");
        }

        RateLimitOptions? rate = null;
        IConfigurationSection rl = s.GetSection("RateLimit");
        if (rl.Exists())
        {
            foreach (IConfigurationSection c in rl.GetChildren())
            {
                if (!c.Key.Equals("PerRulePerSecond", StringComparison.OrdinalIgnoreCase) && !c.Key.Equals("Burst", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{c.Path}: unknown key (known: PerRulePerSecond, Burst)");
                }
            }

            rate = new RateLimitOptions
            {
                PerRulePerSecond = Double(rl, "PerRulePerSecond", 10, errors),
                Burst = Int(rl, "Burst", 20, errors),
            };
        }

        bool? spool = null;
        if (s["Spool"] is not null)
        {
            spool = Bool(s, "Spool", false, errors);
        }

        return new SinkOptions
        {
            Name = name,
            Type = type,
            Format = format,
            FlatKeys = Bool(s, "FlatKeys", false, errors),
            MinimumPriority = min,
            QueueCapacity = Int(s, "QueueCapacity", 10_000, errors),
            BatchSize = Int(s, "BatchSize", type.Equals("kafka", StringComparison.OrdinalIgnoreCase) ? 2000 : 512, errors),
            MaxRetries = Int(s, "MaxRetries", 3, errors),
            Spool = spool,
            RateLimit = rate,
            Settings = settings,
        };
    }

    private static void Flatten(IConfigurationSection section, string key, Dictionary<string, string?> into)
    {
        if (section.Value is not null)
        {
            into[key] = section.Value;
        }

        foreach (IConfigurationSection c in section.GetChildren())
        {
            Flatten(c, key + ":" + c.Key, into);
        }
    }

    private static SpoolOptions BindSpool(IConfigurationSection s, List<string> errors)
    {
        var d = new SpoolOptions();
        string[] known = ["Directory", "MaxBytes", "SegmentBytes", "Fsync", "FsyncIntervalMs", "Overflow", "NearFullPercent"];
        foreach (IConfigurationSection c in s.GetChildren())
        {
            if (!known.Contains(c.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{c.Path}: unknown key (known: {string.Join(", ", known)})");
            }
        }

        FsyncPolicy fsync = d.Fsync;
        if (s["Fsync"] is { } fs)
        {
            switch (fs.Trim().ToLowerInvariant())
            {
                case "always": fsync = FsyncPolicy.Always; break;
                case "interval": fsync = FsyncPolicy.Interval; break;
                case "never": fsync = FsyncPolicy.Never; break;
                default: errors.Add($"{s.Path}:Fsync '{fs}' is unknown (known: always, interval, never)"); break;
            }
        }

        OverflowPolicy overflow = d.Overflow;
        if (s["Overflow"] is { } of)
        {
            switch (of.Trim().ToLowerInvariant())
            {
                case "drop-oldest" or "dropoldest": overflow = OverflowPolicy.DropOldest; break;
                case "drop-newest" or "dropnewest": overflow = OverflowPolicy.DropNewest; break;
                default: errors.Add($"{s.Path}:Overflow '{of}' is unknown (known: drop-oldest, drop-newest)"); break;
            }
        }

        return new SpoolOptions
        {
            Directory = s["Directory"] ?? d.Directory,
            MaxBytes = Long(s, "MaxBytes", d.MaxBytes, errors),
            SegmentBytes = Long(s, "SegmentBytes", d.SegmentBytes, errors),
            Fsync = fsync,
            FsyncIntervalMs = Int(s, "FsyncIntervalMs", d.FsyncIntervalMs, errors),
            Overflow = overflow,
            NearFullPercent = Int(s, "NearFullPercent", d.NearFullPercent, errors),
        };
    }

    private static int Int(IConfigurationSection s, string key, int fallback, List<string> errors)
    {
        string? v = s[key];
        if (v is null)
        {
            return fallback;
        }

        if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r))
        {
            return r;
        }

        errors.Add($"{s.Path}:{key} '{v}' is not an integer");
        return fallback;
    }

    private static long Long(IConfigurationSection s, string key, long fallback, List<string> errors)
    {
        string? v = s[key];
        if (v is null)
        {
            return fallback;
        }

        if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long r))
        {
            return r;
        }

        errors.Add($"{s.Path}:{key} '{v}' is not an integer");
        return fallback;
    }

    private static double Double(IConfigurationSection s, string key, double fallback, List<string> errors)
    {
        string? v = s[key];
        if (v is null)
        {
            return fallback;
        }

        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r))
        {
            return r;
        }

        errors.Add($"{s.Path}:{key} '{v}' is not a number");
        return fallback;
    }

    private static bool Bool(IConfigurationSection s, string key, bool fallback, List<string> errors)
    {
        string? v = s[key];
        if (v is null)
        {
            return fallback;
        }

        if (bool.TryParse(v, out bool r))
        {
            return r;
        }

        errors.Add($"{s.Path}:{key} '{v}' is not true or false");
        return fallback;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NameRegex();
}
