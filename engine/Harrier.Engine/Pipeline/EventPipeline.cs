using System.Runtime.CompilerServices;
using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Verdicts;
using Harrier.Events;
using Harrier.Rules;

namespace Harrier.Engine.Pipeline;

/// <summary>
/// One batch through the user-space stages: enrich (process table) → detect (rules) → verdict → alert. Called on the
/// decoder thread with pooled events that are valid only during the call. Not thread-safe; one instance per
/// pipeline thread. Alerts are handed to <c>publish</c>, which must not block (the dispatcher queues per sink).
/// </summary>
internal sealed class EventPipeline
{
    private readonly ProcessTable _processes;
    private readonly DetectionStage _detection;
    private readonly VerdictRouter _verdicts;
    private readonly Action<Alert> _publish;
    private readonly string _hostname;
    private readonly List<RuleMatch> _matches = new(64);
    private readonly List<HarrierEvent> _decisions = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StrongBox<long>> _perRule = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StrongBox<long>> _verdictCounts = new(StringComparer.Ordinal);
    private long _lastEventTimestamp;
    private long _events;
    private long _alerts;
    private long _faults;

    public EventPipeline(ProcessTable processes, DetectionStage detection, VerdictRouter verdicts, Action<Alert> publish, string? hostname = null)
    {
        _processes = processes;
        _detection = detection;
        _verdicts = verdicts;
        _publish = publish;
        _hostname = hostname ?? HostName();
    }

    public long Events => Interlocked.Read(ref _events);

    public long Alerts => Interlocked.Read(ref _alerts);

    /// <summary>Alerts per rule name so far (a snapshot).</summary>
    public IReadOnlyDictionary<string, long> MatchesPerRule => _perRule.ToDictionary(kv => kv.Key, kv => Interlocked.Read(ref kv.Value.Value));

    /// <summary>Verdict outcomes (<c>none</c>, <c>killed</c>, <c>would-deny</c>...) so far (a snapshot).</summary>
    public IReadOnlyDictionary<string, long> Verdicts => _verdictCounts.ToDictionary(kv => kv.Key, kv => Interlocked.Read(ref kv.Value.Value));

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the last batch, 0 before the first.</summary>
    public long LastEventTimestamp => Interlocked.Read(ref _lastEventTimestamp);

    /// <summary>Batches in which a stage threw (logged by the caller; the batch's remaining work is skipped).</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Optional observer of every enriched event (the <c>events</c> command), called before detection.</summary>
    public Action<HarrierEvent>? OnEvent { get; set; }

    /// <summary>
    /// Optional: turns an observed event into the enforcement decision that caused it (a seccomp profile's -errno or
    /// SIGSYS, seen by the probes), or null. Decisions go through the rules like any event, right after their batch.
    /// </summary>
    public Func<HarrierEvent, DecisionEvent?>? Explain { get; set; }

    /// <summary>
    /// Enriches the batch in order and runs detection on it. Enrichment keeps one mutable entry per process, so when
    /// an event would change an entry (exec, fork, exit, new credentials...; <see cref="ProcessTable.Changes"/>), the
    /// events before it are evaluated first: an open followed by its parent's exec in the same batch still sees the
    /// parent's old name. Such events are rare beside opens and connects, so the parts stay large.
    /// </summary>
    public void OnBatch(ReadOnlySpan<HarrierEvent> batch)
    {
        Interlocked.Add(ref _events, batch.Length);
        Interlocked.Exchange(ref _lastEventTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
        _decisions.Clear();
        int start = 0;
        for (int i = 0; i < batch.Length; i++)
        {
            var e = batch[i];
            if (i > start && _processes.Changes(e))
            {
                Detect(batch[start..i]);
                start = i;
            }

            _processes.Enrich(e);
            OnEvent?.Invoke(e);
            if (Explain?.Invoke(e) is { } d)
            {
                d.Process ??= e.Process;
                _decisions.Add(d);
            }
        }

        Detect(batch[start..]);
    }

    /// <summary>Evaluates enriched events (then the decisions they explained) and publishes the alerts.</summary>
    private void Detect(ReadOnlySpan<HarrierEvent> part)
    {
        _matches.Clear();
        _detection.Evaluate(part, _matches);
        if (_decisions.Count > 0)
        {
            _detection.Evaluate(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_decisions), _matches);
            _decisions.Clear();
        }

        foreach (var m in _matches)
        {
            var (enforced, latency) = _verdicts.Apply(m.Action, m.Event, m.Rule.Name);
            var alert = m.ToAlert(_hostname, Guid.NewGuid()) with { Enforced = enforced, KillLatencyNs = latency };
            Interlocked.Increment(ref _alerts);
            Interlocked.Increment(ref _perRule.GetOrAdd(m.Rule.Name, static _ => new StrongBox<long>()).Value);
            Interlocked.Increment(ref _verdictCounts.GetOrAdd(enforced, static _ => new StrongBox<long>()).Value);
            _publish(alert);
        }
    }

    internal void CountFault() => Interlocked.Increment(ref _faults);

    /// <summary>The host name as the kernel reports it (the UTS name), as Falco's <c>hostname</c>.</summary>
    public static string HostName()
    {
        try
        {
            string h = File.ReadAllText("/proc/sys/kernel/hostname").Trim();
            return h.Length > 0 ? h : Environment.MachineName;
        }
        catch (IOException)
        {
            return Environment.MachineName;
        }
    }
}
