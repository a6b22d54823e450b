namespace Harrier.Host.Configuration;

/// <summary>
/// Where <see cref="HarrierConfiguration"/> looks for its layers. The defaults are the installed layout; tests
/// point every location at a temporary directory and pass their own environment.
/// </summary>
internal sealed record ConfigurationLocations
{
    /// <summary>The system configuration file used when no <c>--config</c> is given and it exists.</summary>
    public string SystemConfigFile { get; init; } = "/etc/harrier/appsettings.json";

    /// <summary>Drop-in directory: every <c>*.json</c> in it is applied in ordinal name order.</summary>
    public string DropInDirectory { get; init; } = "/etc/harrier/conf.d";

    /// <summary>The program's directory: its <c>appsettings.json</c> is the fallback, then the repository root above it.</summary>
    public string ProgramDirectory { get; init; } = AppContext.BaseDirectory;

    /// <summary>The environment to read <c>HARRIER__</c> variables from; null reads the process environment.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>The installed defaults.</summary>
    public static ConfigurationLocations Default { get; } = new();
}
