using Microsoft.Extensions.Configuration;

namespace Harrier.Host.Configuration;

/// <summary>
/// Start-up validation helpers: bind each stage's options record, gather every stage's errors, and report them all
/// at once. Typical use by the CLI:
/// <code>
/// var errors = OptionsValidation.Collect(
///     ("configuration", schema.Check(config)),
///     ("Enrichment", enrichment.Validate()),
///     ("Probes", probes.Validate()));
/// if (errors.Count &gt; 0) return OptionsValidation.Report(errors, Console.Error);
/// </code>
/// Stateless and thread-safe.
/// </summary>
internal static class OptionsValidation
{
    /// <summary>The exit code for an invalid configuration (sysexits' EX_CONFIG).</summary>
    public const int InvalidConfigurationExitCode = 78;

    /// <summary>
    /// Flattens every stage's errors into one list, in the order given. An error that does not already name its
    /// key (<c>Section:Key ...</c>) is prefixed with its section.
    /// </summary>
    public static IReadOnlyList<string> Collect(params (string section, IEnumerable<string> errors)[] results)
    {
        var all = new List<string>();
        foreach (var (section, errors) in results)
        {
            foreach (var error in errors ?? Array.Empty<string>())
            {
                bool named = error.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)
                    || error.StartsWith(section + " ", StringComparison.OrdinalIgnoreCase)
                    || section.Equals("configuration", StringComparison.OrdinalIgnoreCase);
                all.Add(named ? error : $"{section}: {error}");
            }
        }

        return all;
    }

    /// <summary>
    /// Binds a section to a new <typeparamref name="T"/> (defaults for absent keys; an absent section gives all
    /// defaults). A value the binder cannot convert is added to <paramref name="errors"/> and the defaults are
    /// returned, so start-up can go on collecting errors.
    /// </summary>
    public static T Bind<T>(IConfiguration configuration, string section, ICollection<string> errors)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{section}: {ex.Message}");
            return new T();
        }
    }

    /// <summary>Writes the errors, one per line, and returns the exit code to use (0 when there are none).</summary>
    public static int Report(IReadOnlyList<string> errors, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(writer);
        if (errors.Count == 0)
        {
            return 0;
        }

        writer.WriteLine($"harrier: invalid configuration ({errors.Count} error{(errors.Count == 1 ? string.Empty : "s")}):");
        foreach (var error in errors)
        {
            writer.WriteLine("  " + error);
        }

        return InvalidConfigurationExitCode;
    }
}
