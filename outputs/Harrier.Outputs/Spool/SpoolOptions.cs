namespace Harrier.Outputs.Spool;

/// <summary>On-disk spool settings (<c>Outputs:Spool</c>). Each spooling sink gets the sub-directory named after it.</summary>
public sealed record SpoolOptions
{
    public string Directory { get; init; } = "/var/lib/harrier/spool";

    /// <summary>Bound on the bytes of all segments of one sink.</summary>
    public long MaxBytes { get; init; } = 1L << 30;

    /// <summary>A segment file is closed and a new one started past this size.</summary>
    public long SegmentBytes { get; init; } = 16L << 20;

    public FsyncPolicy Fsync { get; init; } = FsyncPolicy.Interval;

    public int FsyncIntervalMs { get; init; } = 1000;

    public OverflowPolicy Overflow { get; init; } = OverflowPolicy.DropOldest;

    /// <summary>Fill level (percent of <see cref="MaxBytes"/>) that raises the "spool near full" internal alert.</summary>
    public int NearFullPercent { get; init; } = 80;

    /// <summary>Every problem, each as one line; empty when valid. Does not touch the disk.</summary>
    public IReadOnlyList<string> Validate(string prefix)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory))
        {
            errors.Add($"{prefix}:Directory must not be empty");
        }
        else if (!Path.IsPathRooted(Directory))
        {
            errors.Add($"{prefix}:Directory '{Directory}' must be an absolute path");
        }

        if (SegmentBytes < 4096)
        {
            errors.Add($"{prefix}:SegmentBytes {SegmentBytes} must be at least 4096");
        }

        if (MaxBytes < SegmentBytes * 2)
        {
            errors.Add($"{prefix}:MaxBytes {MaxBytes} must be at least twice SegmentBytes ({SegmentBytes})");
        }

        if (FsyncIntervalMs is < 1 or > 3_600_000)
        {
            errors.Add($"{prefix}:FsyncIntervalMs {FsyncIntervalMs} must be between 1 and 3600000");
        }

        if (NearFullPercent is < 1 or > 100)
        {
            errors.Add($"{prefix}:NearFullPercent {NearFullPercent} must be between 1 and 100");
        }

        return errors;
    }
}
