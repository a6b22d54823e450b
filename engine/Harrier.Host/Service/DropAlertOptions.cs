namespace Harrier.Host.Service;

/// <summary>
/// The <c>Drops</c> section: when lost events (kernel and user side) exceed <see cref="AlertShare"/> of the events over
/// a window of <see cref="WindowSeconds"/>, an internal alert names the event classes and counts, at most once per
/// <see cref="AlertIntervalSeconds"/> (further windows over the share are counted into the next alert).
/// </summary>
internal sealed record DropAlertOptions
{
    public const string SectionName = "Drops";

    public double AlertShare { get; init; } = 0.001;

    public int WindowSeconds { get; init; } = 1;

    public int AlertIntervalSeconds { get; init; } = 60;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(AlertShare > 0 && AlertShare < 1))
        {
            errors.Add($"Drops:AlertShare must be a fraction between 0 and 1, e.g. 0.001 for 0.1 % (got {AlertShare})");
        }

        if (WindowSeconds is < 1 or > 3600)
        {
            errors.Add($"Drops:WindowSeconds must be 1-3600 (got {WindowSeconds})");
        }

        if (AlertIntervalSeconds is < 0 or > 86400)
        {
            errors.Add($"Drops:AlertIntervalSeconds must be 0-86400 (got {AlertIntervalSeconds})");
        }

        return errors;
    }
}
