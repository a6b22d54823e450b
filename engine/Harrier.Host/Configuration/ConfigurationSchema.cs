using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Harrier.Host.Configuration;

/// <summary>
/// The known top-level sections and, for typed ones, the shape of their options records. <see cref="Check"/>
/// reports unknown sections, unknown keys (at any depth), values that do not convert to the property's type,
/// lists given as single values and the reverse, all at once, each naming its full key (<c>Probes:BatchSize</c>).
/// Property names match case-insensitively, as the configuration binder matches them. Free-form sections
/// (Serilog's) are accepted as they are. Immutable after construction; <see cref="Check"/> is thread-safe.
/// </summary>
internal sealed class ConfigurationSchema
{
    private readonly Dictionary<string, Type?> _sections = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds a section bound to an options record.</summary>
    public ConfigurationSchema Section<T>(string name) => Section(name, typeof(T));

    /// <summary>Adds a section; a null type makes it free-form (not checked).</summary>
    public ConfigurationSchema Section(string name, Type? type)
    {
        _sections[name] = type;
        return this;
    }

    /// <summary>The section names known.</summary>
    public IEnumerable<string> Sections => _sections.Keys;

    /// <summary>Every problem in <paramref name="configuration"/>; empty when it fits the schema.</summary>
    public IReadOnlyList<string> Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        foreach (var section in configuration.GetChildren())
        {
            if (!_sections.TryGetValue(section.Key, out var type))
            {
                errors.Add($"{section.Key}: unknown section (known: {string.Join(", ", _sections.Keys.Order(StringComparer.Ordinal))})");
            }
            else if (type is not null)
            {
                CheckNode(section, type, errors, depth: 0);
            }
        }

        return errors;
    }

    private static void CheckNode(IConfigurationSection node, Type type, List<string> errors, int depth)
    {
        if (depth > 32)
        {
            return; // self-referential types: configuration this deep is not Harrier's
        }

        bool nullable = Nullable.GetUnderlyingType(type) is not null;
        type = Nullable.GetUnderlyingType(type) ?? type;
        var children = node.GetChildren().ToList();

        if (IsScalar(type))
        {
            if (children.Count > 0)
            {
                errors.Add($"{node.Path}: expected a single {Describe(type)} value, found nested keys ({string.Join(", ", children.Select(c => c.Key))})");
            }
            else if (node.Value is not null && !(nullable && node.Value.Length == 0) && !Converts(node.Value, type))
            {
                errors.Add($"{node.Path}: '{node.Value}' is not a valid {Describe(type)}{EnumHint(type)}");
            }

            return;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            ExpectNested(node, children, "a map of keys", errors);
            foreach (var child in children)
            {
                CheckNode(child, valueType, errors, depth + 1);
            }

            return;
        }

        if (ElementType(type) is { } elementType)
        {
            ExpectNested(node, children, $"a list (write {node.Path}:0=...)", errors);
            foreach (var child in children)
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{child.Path}: '{child.Key}' is not a list index: {node.Path} is a list");
                    continue;
                }

                CheckNode(child, elementType, errors, depth + 1);
            }

            return;
        }

        ExpectNested(node, children, "a section with keys", errors);
        var properties = Properties(type);
        foreach (var child in children)
        {
            if (properties.TryGetValue(child.Key, out var property))
            {
                CheckNode(child, property.PropertyType, errors, depth + 1);
            }
            else
            {
                errors.Add($"{child.Path}: unknown key (known: {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))})");
            }
        }
    }

    private static void ExpectNested(IConfigurationSection node, List<IConfigurationSection> children, string what, List<string> errors)
    {
        // An empty string is how JSON null and [] / {} arrive; only a real value is a mistake.
        if (children.Count == 0 && !string.IsNullOrEmpty(node.Value))
        {
            errors.Add($"{node.Path}: expected {what}, found the value '{node.Value}'");
        }
    }

    private static Dictionary<string, PropertyInfo> Properties(Type type)
    {
        var map = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0)
            {
                continue;
            }

            bool bindable = p.SetMethod is { IsPublic: true } || (p.GetMethod is not null && !IsScalar(p.PropertyType));
            if (bindable)
            {
                map[p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name] = p;
            }
        }

        return map;
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || type == typeof(TimeSpan) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || type == typeof(Guid) || type == typeof(Uri) || type == typeof(object)
            || TypeDescriptor.GetConverter(type) is { } c && c.GetType() != typeof(TypeConverter) && c.CanConvertFrom(typeof(string));
    }

    private static bool Converts(string value, Type type)
    {
        if (type == typeof(string) || type == typeof(object))
        {
            return true;
        }

        if (value.Length == 0)
        {
            return false;
        }

        if (type.IsEnum)
        {
            return Enum.TryParse(type, value, ignoreCase: true, out _);
        }

        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException
            || ex.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "integer",
        _ when type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte) => "non-negative integer",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "number",
        _ when type == typeof(bool) => "boolean (true/false)",
        _ when type == typeof(TimeSpan) => "time span (hh:mm:ss)",
        _ => type.Name,
    };

    private static string EnumHint(Type type) =>
        type.IsEnum ? $" (one of: {string.Join(", ", Enum.GetNames(type))})" : string.Empty;

    private static Type? DictionaryValueType(Type type)
    {
        foreach (var i in type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces())
        {
            if (i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
                && i.GetGenericArguments()[0] == typeof(string))
            {
                return i.GetGenericArguments()[1];
            }
        }

        return null;
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        foreach (var i in type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces())
        {
            if (i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return i.GetGenericArguments()[0];
            }
        }

        return null;
    }
}
