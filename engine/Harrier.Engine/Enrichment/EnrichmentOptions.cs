namespace Harrier.Engine.Enrichment;

/// <summary>
/// Options of the enrichment stage (configuration section <c>Enrichment</c>). Immutable; check with
/// <see cref="Validate"/> at start-up, which reports every problem at once.
/// </summary>
internal sealed record EnrichmentOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Enrichment";

    /// <summary>Upper bound of the process table (live plus recently exited entries). Past it the least recently
    /// used entries are evicted and counted (<see cref="ProcessTable.Evictions"/>).</summary>
    public int MaxProcesses { get; init; } = 65536;

    /// <summary>Bound of the fd names kept for close events, over all processes (0 turns fd-name tracking off). Past it
    /// new fds are not named and counted (<see cref="ProcessTable.FdOverflows"/>).</summary>
    public int MaxFdNames { get; init; } = 262144;

    /// <summary>The largest accepted <see cref="MaxFdNames"/>.</summary>
    public const int MaxFdNamesLimit = 16 * 1024 * 1024;

    /// <summary>Where procfs is mounted; tests point it at a fake tree.</summary>
    public string ProcRoot { get; init; } = "/proc";

    /// <summary>The directory holding <c>passwd</c> and <c>group</c> for user and group names.</summary>
    public string EtcRoot { get; init; } = "/etc";

    /// <summary>The largest accepted <see cref="MaxProcesses"/> (the kernel's own pid_max limit).</summary>
    public const int MaxProcessesLimit = 4 * 1024 * 1024;

    /// <summary>Every problem with these options, each naming its key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxProcesses is < 1 or > MaxProcessesLimit)
        {
            errors.Add($"{SectionName}:MaxProcesses must be between 1 and {MaxProcessesLimit}, got {MaxProcesses}.");
        }

        if (MaxFdNames is < 0 or > MaxFdNamesLimit)
        {
            errors.Add($"{SectionName}:MaxFdNames must be between 0 and {MaxFdNamesLimit}, got {MaxFdNames}.");
        }

        CheckDirectory(errors, nameof(ProcRoot), ProcRoot);
        CheckDirectory(errors, nameof(EtcRoot), EtcRoot);
        return errors;
    }

    private static void CheckDirectory(List<string> errors, string key, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{SectionName}:{key} must not be empty.");
        }
        else if (!Path.IsPathRooted(path))
        {
            errors.Add($"{SectionName}:{key} must be an absolute path, got '{path}'.");
        }
        else if (!Directory.Exists(path))
        {
            errors.Add($"{SectionName}:{key} '{path}' is not a directory.");
        }
    }
}
