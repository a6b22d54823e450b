using System.Reflection;

namespace Harrier.Outputs.Formatting;

/// <summary>The version string written into alert documents (<c>harrier_version</c>, OCSF product version, ECS observer).</summary>
public static class HarrierVersion
{
    /// <summary>The assembly's informational version without build metadata, e.g. <c>0.1.0</c>.</summary>
    public static string Value { get; } = Read();

    private static string Read()
    {
        string? v = typeof(HarrierVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(v))
        {
            return typeof(HarrierVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        }

        int plus = v.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 ? v[..plus] : v;
    }
}
