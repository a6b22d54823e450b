using Harrier.Events;

namespace Harrier.Outputs;

/// <summary>
/// Builds Harrier's own health alerts (source <c>internal</c>): sink down/up, spool near full/overflow, event loss.
/// Output fields are typed like rule alerts so every format renders them. Thread-safe.
/// </summary>
public static class InternalAlerts
{
    public const string Source = "internal";
    public const string SinkDownRule = "Harrier output sink down";
    public const string SinkUpRule = "Harrier output sink up";
    public const string SpoolNearFullRule = "Harrier alert spool near full";
    public const string SpoolOverflowRule = "Harrier alert spool overflow";
    public const string EventLossRule = "Harrier event loss";

    public static Alert SinkDown(string sink, string reason, TimeProvider? time = null, string? hostname = null)
        => Build(SinkDownRule, Priority.Error, $"Alert sink {sink} is down, alerts are retried or spooled (reason={reason})", time, hostname,
            [new("sink", sink), new("reason", reason)]);

    public static Alert SinkUp(string sink, TimeProvider? time = null, string? hostname = null)
        => Build(SinkUpRule, Priority.Notice, $"Alert sink {sink} is delivering again", time, hostname, [new("sink", sink)]);

    public static Alert SpoolNearFull(string sink, long bytes, long maxBytes, TimeProvider? time = null, string? hostname = null)
        => Build(SpoolNearFullRule, Priority.Warning, $"Alert spool of sink {sink} is near full (bytes={bytes} max={maxBytes})", time, hostname,
            [new("sink", sink), new("spool.bytes", bytes), new("spool.max_bytes", maxBytes)]);

    public static Alert SpoolOverflow(string sink, long dropped, string policy, TimeProvider? time = null, string? hostname = null)
        => Build(SpoolOverflowRule, Priority.Critical, $"Alert spool of sink {sink} is full, alerts are being dropped (dropped={dropped} policy={policy})", time, hostname,
            [new("sink", sink), new("dropped", dropped), new("policy", policy)]);

    /// <summary>For the engine: <paramref name="lostEvents"/> kernel events were lost at <paramref name="where"/> (ring buffer, channel...).</summary>
    public static Alert EventLoss(long lostEvents, string where, TimeProvider? time = null, string? hostname = null)
        => Build(EventLossRule, Priority.Critical, $"Events were lost before rule evaluation (lost={lostEvents} where={where})", time, hostname,
            [new("evt.lost", lostEvents), new("where", where)]);

    /// <summary>For the engine: reloading <paramref name="what"/> (rules, configuration) failed; the previous one stays.</summary>
    public static Alert ReloadFailed(string what, string errors, TimeProvider? time = null, string? hostname = null)
        => Build($"Harrier {what} reload failed", Priority.Error, $"{char.ToUpperInvariant(what[0])}{what[1..]} reload failed, the previous {what} stays in force: {errors}", time, hostname,
            [new("reload", what), new("errors", errors)]);

    private static Alert Build(string rule, Priority priority, string output, TimeProvider? time, string? hostname, KeyValuePair<string, object?>[] fields)
    {
        DateTimeOffset now = (time ?? TimeProvider.System).GetUtcNow();
        return new Alert
        {
            Uuid = Guid.NewGuid(),
            TimeNs = (now.UtcTicks - DateTime.UnixEpoch.Ticks) * 100,
            Rule = rule,
            Priority = priority,
            Source = Source,
            Hostname = hostname ?? Environment.MachineName,
            Output = output,
            OutputFields = fields,
            Tags = ["harrier", "internal"],
        };
    }
}
