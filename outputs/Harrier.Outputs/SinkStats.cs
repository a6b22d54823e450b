namespace Harrier.Outputs;

/// <summary>A snapshot of one sink's counters.</summary>
/// <param name="Sent">Alerts the destination acknowledged.</param>
/// <param name="Failed">Alerts given up on after errors (rejected, retries exhausted), each logged with its uuid.</param>
/// <param name="Spooled">Alerts written to the on-disk spool (spooling sinks write every alert there first).</param>
/// <param name="Dropped">Alerts lost to a full queue/spool, stop before delivery, or spool corruption (counted, never silent).</param>
/// <param name="Suppressed">Alerts held back by the per-rule rate limit.</param>
/// <param name="Filtered">Alerts below the sink's minimum priority.</param>
/// <param name="Pending">Alerts accepted and not yet delivered (queue depth, or spooled and uncommitted).</param>
/// <param name="SpoolBytes">Bytes of the sink's spool segments (0 without spool).</param>
/// <param name="Healthy">False between a "sink down" and the next "sink up".</param>
public sealed record SinkStats(
    string Name,
    string Type,
    long Sent,
    long Failed,
    long Spooled,
    long Dropped,
    long Suppressed,
    long Filtered,
    long Pending,
    long SpoolBytes,
    bool Healthy);
