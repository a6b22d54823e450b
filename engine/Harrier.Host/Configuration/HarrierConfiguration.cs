using System.Collections;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Harrier.Host.Configuration;

/// <summary>
/// Builds Harrier's configuration from its layers, later ones overriding earlier ones:
/// <list type="number">
/// <item>the base file: <c>--config PATH</c> if given (it must exist), else <c>/etc/harrier/appsettings.json</c> if
/// present, else <c>appsettings.json</c> beside the program, else the one at the repository root above it;</item>
/// <item>drop-ins <c>/etc/harrier/conf.d/*.json</c> in ordinal name order;</item>
/// <item>environment variables <c>HARRIER__Section__Key=value</c> (the prefix is case-insensitive);</item>
/// <item>command-line overrides <c>-o Section:Key=value</c>.</item>
/// </list>
/// Every unreadable or malformed file and every malformed override is reported together in one
/// <see cref="HarrierConfigurationException"/>. Thread-safe (no shared state).
/// </summary>
internal static class HarrierConfiguration
{
    /// <summary>The prefix of environment variables that override configuration keys.</summary>
    public const string EnvironmentPrefix = "HARRIER__";

    /// <summary>The name of the base configuration file.</summary>
    public const string FileName = "appsettings.json";

    /// <summary>Builds from the installed locations and the process environment.</summary>
    /// <param name="overrides">The values of <c>-o</c> options, each <c>Section:Key=value</c>.</param>
    /// <param name="configPath">The value of <c>--config</c>, or null.</param>
    /// <exception cref="HarrierConfigurationException">Files missing or malformed, or overrides malformed.</exception>
    public static IConfigurationRoot Build(string[] overrides, string? configPath) =>
        Load(overrides, configPath, ConfigurationLocations.Default).Root;

    /// <summary>Builds from explicit locations and reports which files were read.</summary>
    /// <exception cref="HarrierConfigurationException">Files missing or malformed, or overrides malformed.</exception>
    public static LoadedConfiguration Load(IReadOnlyList<string> overrides, string? configPath, ConfigurationLocations locations)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(locations);
        var errors = new List<string>();
        var files = new List<string>();
        var builder = new ConfigurationBuilder();

        string? basePath = FindBaseFile(configPath, locations, errors);
        if (basePath is not null)
        {
            AddJsonFile(builder, basePath, files, errors);
        }

        foreach (var dropIn in DropIns(locations.DropInDirectory, errors))
        {
            AddJsonFile(builder, dropIn, files, errors);
        }

        builder.AddInMemoryCollection(FromEnvironment(locations.Environment));
        builder.AddInMemoryCollection(ParseOverrides(overrides, errors));

        if (errors.Count > 0)
        {
            throw new HarrierConfigurationException(errors);
        }

        return new LoadedConfiguration(builder.Build(), files);
    }

    /// <summary>Parses <c>Section:Key=value</c> overrides (the key may be nested: <c>Outputs:Sinks:0:Type=file</c>).
    /// The value may be empty and may contain '='.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ParseOverrides(IReadOnlyList<string> overrides, ICollection<string> errors)
    {
        var result = new List<KeyValuePair<string, string?>>();
        foreach (var item in overrides)
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? string.Empty : item[..eq].Trim();
            if (eq < 0 || key.Length == 0 || key.StartsWith(':') || key.EndsWith(':') || key.Contains("::", StringComparison.Ordinal))
            {
                errors.Add($"override '{item}': expected -o Section:Key=value");
                continue;
            }

            result.Add(new(key, item[(eq + 1)..]));
        }

        return result;
    }

    private static string? FindBaseFile(string? configPath, ConfigurationLocations locations, List<string> errors)
    {
        if (configPath is not null)
        {
            if (!File.Exists(configPath))
            {
                errors.Add($"{configPath}: configuration file (--config) does not exist");
                return null;
            }

            return Path.GetFullPath(configPath);
        }

        if (File.Exists(locations.SystemConfigFile))
        {
            return locations.SystemConfigFile;
        }

        var candidates = new List<string> { Path.Combine(locations.ProgramDirectory, FileName) };
        for (var dir = new DirectoryInfo(locations.ProgramDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Harrier.slnx")))
            {
                candidates.Add(Path.Combine(dir.FullName, FileName));
                break;
            }
        }

        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        errors.Add($"no {FileName} found: looked at {locations.SystemConfigFile}, {string.Join(", ", candidates)}; pass --config PATH");
        return null;
    }

    private static IEnumerable<string> DropIns(string directory, List<string> errors)
    {
        if (!Directory.Exists(directory))
        {
            return Array.Empty<string>();
        }

        try
        {
            var names = Directory.GetFiles(directory, "*.json");
            Array.Sort(names, StringComparer.Ordinal);
            return names;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{directory}: cannot list drop-ins: {ex.Message}");
            return Array.Empty<string>();
        }
    }

    /// <summary>Reads the file once, checks it parses as the configuration system parses JSON (comments and
    /// trailing commas allowed, an object at the top, no duplicate keys), and adds it.</summary>
    private static void AddJsonFile(ConfigurationBuilder builder, string path, List<string> files, List<string> errors)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{path}: cannot read: {ex.Message}");
            return;
        }

        try
        {
            new ConfigurationBuilder().AddJsonStream(new MemoryStream(bytes)).Build();
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidDataException or InvalidOperationException)
        {
            errors.Add($"{path}: not valid configuration JSON: {Innermost(ex).Message}");
            return;
        }

        builder.AddJsonStream(new MemoryStream(bytes));
        files.Add(path);
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    /// <summary><c>HARRIER__Section__Key</c> becomes <c>Section:Key</c>.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> FromEnvironment(IReadOnlyDictionary<string, string?>? environment)
    {
        var result = new List<KeyValuePair<string, string?>>();
        IEnumerable<KeyValuePair<string, string?>> source = environment ?? ProcessEnvironment();
        foreach (var (name, value) in source)
        {
            if (name.Length > EnvironmentPrefix.Length && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                result.Add(new(name[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), value));
            }
        }

        return result;
    }

    private static IEnumerable<KeyValuePair<string, string?>> ProcessEnvironment()
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            yield return new((string)entry.Key, entry.Value as string);
        }
    }
}
