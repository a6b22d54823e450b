namespace Harrier.Host.Install;

/// <summary>
/// The installed file layout, relative to the install root (<c>/</c>, or <c>--root DIR</c> for staging), and where
/// each piece comes from in the program directory. docs/configuration.md documents the same table.
/// </summary>
internal static class InstallLayout
{
    /// <summary>The program: a copy of the whole program directory (assemblies, native libraries, rules, unit).</summary>
    public const string ProgramDirectory = "usr/local/lib/harrier";

    /// <summary>The systemd unit.</summary>
    public const string UnitFile = "etc/systemd/system/harrier.service";

    /// <summary>The link <c>systemctl enable</c> creates; removed on uninstall so it does not dangle.</summary>
    public const string EnabledLink = "etc/systemd/system/multi-user.target.wants/harrier.service";

    public const string ConfigDirectory = "etc/harrier";

    /// <summary>The configuration file: written once, never overwritten by a later install.</summary>
    public const string ConfigFile = "etc/harrier/appsettings.json";

    /// <summary>Drop-in configuration files, applied in name order after <see cref="ConfigFile"/>.</summary>
    public const string DropInDirectory = "etc/harrier/conf.d";

    /// <summary>The default rules; the installed configuration's <c>Rules:Paths</c> points here.</summary>
    public const string RulesDirectory = "etc/harrier/rules";

    /// <summary>The service's state directory (systemd <c>StateDirectory=harrier</c>).</summary>
    public const string StateDirectory = "var/lib/harrier";

    /// <summary>Alerts not yet delivered to a sink (Kafka outages).</summary>
    public const string SpoolDirectory = "var/lib/harrier/spool";

    /// <summary>The absolute rules path written into the installed configuration.</summary>
    public const string InstalledRulesPath = "/etc/harrier/rules";

    /// <summary>Sources, relative to the program directory.</summary>
    public const string SourceUnit = "deploy/harrier.service";

    public const string SourceConfig = "appsettings.json";

    public const string SourceRules = "rules/default";

    /// <summary>The program's executable name inside <see cref="ProgramDirectory"/>.</summary>
    public const string Executable = "harrier";
}
