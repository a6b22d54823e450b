namespace Harrier.Host.Metrics;

/// <summary>
/// Decides whether Harrier is healthy: probes attached, rules loaded, events arrived within the configured interval
/// (or the host is measurably idle: no new process was created since the last event, read from the last-pid field
/// of <c>/proc/loadavg</c> — exec/fork/exit capture is always on, so new processes without events means a stall),
/// and no sink unhealthy for longer than its threshold. Thread-safe.
/// </summary>
internal sealed class HealthEvaluator
{
    private readonly MetricsOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<long?> _lastPid;
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _sinkDownSince = new();
    private long _eventsSeen = -1;
    private long _eventsChangedAt;
    private long? _pidAtLastEvent;

    public HealthEvaluator(MetricsOptions options, TimeProvider time, Func<long?>? lastPid = null)
    {
        _options = options;
        _time = time;
        _lastPid = lastPid ?? ReadLastPid;
        _eventsChangedAt = time.GetTimestamp();
    }

    /// <summary>Null when healthy, else the reason.</summary>
    public string? Check(EngineSnapshot s)
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            if (s.EventsReceived != _eventsSeen)
            {
                _eventsSeen = s.EventsReceived;
                _eventsChangedAt = now;
                _pidAtLastEvent = _lastPid();
            }

            if (!s.ProbesAttached)
            {
                return "probes are not attached";
            }

            if (!s.RulesLoaded)
            {
                return "no rule set is loaded";
            }

            var quiet = _time.GetElapsedTime(_eventsChangedAt, now);
            if (quiet > TimeSpan.FromSeconds(_options.EventsWithinSeconds))
            {
                long? pid = _lastPid();
                bool idle = pid is not null && _pidAtLastEvent is not null && pid == _pidAtLastEvent;
                if (!idle)
                {
                    return $"no event for {quiet.TotalSeconds:F0} s while processes were created (last pid {_pidAtLastEvent} -> {pid})";
                }
            }

            foreach (var sink in s.Sinks)
            {
                if (sink.Healthy)
                {
                    _sinkDownSince.Remove(sink.Name);
                    continue;
                }

                if (!_sinkDownSince.TryGetValue(sink.Name, out long since))
                {
                    _sinkDownSince[sink.Name] = since = now;
                }

                if (_time.GetElapsedTime(since, now) >= TimeSpan.FromSeconds(_options.SinkFailureSeconds))
                {
                    return $"sink '{sink.Name}' failing for {_time.GetElapsedTime(since, now).TotalSeconds:F0} s";
                }
            }

            return null;
        }
    }

    private static long? ReadLastPid()
    {
        try
        {
            string[] f = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return f.Length >= 5 && long.TryParse(f[4], out long pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
