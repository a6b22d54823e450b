using System.Reflection;
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
    /// defaults). A list given in the configuration <b>replaces</b> the record's default list (the plain binder
    /// appends to it, so <c>Rules:Paths</c> would keep its default entry). A value the binder cannot convert is
    /// added to <paramref name="errors"/> and the defaults are returned, so start-up can go on collecting errors.
    /// </summary>
    public static T Bind<T>(IConfiguration configuration, string section, ICollection<string> errors)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            var node = configuration.GetSection(section);
            var bound = node.Get<T>() ?? new T();
            ReplaceConfiguredLists(bound, node, depth: 0);
            return bound;
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{section}: {ex.Message}");
            return new T();
        }
    }

    /// <summary>Re-binds every list property that the configuration sets into a fresh list of only the configured
    /// elements, recursing into nested option objects.</summary>
    private static void ReplaceConfiguredLists(object instance, IConfigurationSection node, int depth)
    {
        if (depth > 16)
        {
            return;
        }

        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.SetMethod is null || property.GetMethod is null)
            {
                continue;
            }

            var child = node.GetSection(property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name);
            if (!child.GetChildren().Any())
            {
                continue;
            }

            var type = property.PropertyType;
            if (ListElementType(type) is { } element)
            {
                var listType = typeof(List<>).MakeGenericType(element);
                if (child.Get(listType) is System.Collections.IList fresh)
                {
                    object value = type.IsArray ? ToArray(fresh, element) : fresh;
                    if (type.IsAssignableFrom(value.GetType()))
                    {
                        property.SetValue(instance, value);
                    }
                }
            }
            else if (type.IsClass && type != typeof(string) && property.GetValue(instance) is { } nested)
            {
                ReplaceConfiguredLists(nested, child, depth + 1);
            }
        }
    }

    private static Array ToArray(System.Collections.IList list, Type element)
    {
        var array = Array.CreateInstance(element, list.Count);
        list.CopyTo(array, 0);
        return array;
    }

    /// <summary>The element type of arrays, <c>List&lt;T&gt;</c> and the read-only list interfaces; null for anything else
    /// (dictionaries keep the binder's merge behaviour).</summary>
    private static Type? ListElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>)
            || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ICollection<>)
            ? type.GetGenericArguments()[0]
            : null;
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
