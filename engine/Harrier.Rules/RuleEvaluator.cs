using Harrier.Events;
using Harrier.Rules.Compiling;
using NRules;

namespace Harrier.Rules;

/// <summary>
/// Runs batches of events through the NRules session: events of types no rule wants are dropped first (a bitmap
/// lookup), the rest are inserted with one <c>InsertAll</c>, rules fire, and the facts are retracted. Matches are
/// appended in event-time order (ties: rule order); with <see cref="RuleMatchingMode.First"/> only the first rule per
/// event is reported. One per worker thread: not thread-safe.
/// </summary>
public sealed class RuleEvaluator
{
    private readonly CompiledRuleSet _set;
    private readonly ISession _session;
    private readonly MatchCollector _collector = new();
    private readonly List<object> _facts = new(1024);

    internal RuleEvaluator(CompiledRuleSet set, ISession session)
    {
        _set = set;
        _session = session;
        _session.ActionInterceptor = _collector;
    }

    /// <summary>Events seen, and events that passed the event-type pre-filter.</summary>
    public long EventsSeen { get; private set; }

    public long EventsEvaluated { get; private set; }

    /// <summary>Events inserted into the NRules session (after the pre-match stage).</summary>
    public long EventsInserted { get; private set; }

    /// <summary>The correlation rules' evaluator (state, evictions), when the rule set has any.</summary>
    public Correlation.CorrelationEvaluator? Correlation { get; init; }

    /// <summary>Evaluates <paramref name="batch"/> (distinct instances) and appends matches to <paramref name="matches"/>:
    /// single-event rules first (in event-time order), then the correlation rules the batch completed.</summary>
    public void Evaluate(ReadOnlySpan<HarrierEvent> batch, List<RuleMatch> matches)
    {
        EvaluateEvents(batch, matches);
        Correlation?.Evaluate(batch, matches);
    }

    private void EvaluateEvents(ReadOnlySpan<HarrierEvent> batch, List<RuleMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(matches);
        EventsSeen += batch.Length;
        _facts.Clear();
        foreach (var e in batch)
        {
            if (e is not null && _set.IsInteresting(e.Type))
            {
                EventsEvaluated++;
                if (_set.PreMatches(e))
                {
                    _facts.Add(e);
                }
            }
        }

        if (_facts.Count == 0)
        {
            return;
        }

        EventsInserted += _facts.Count;
        _collector.Hits.Clear();
        try
        {
            RunSession();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Degrade, never lose the batch: clean the session and evaluate the compiled conditions directly.
            EvaluationErrors++;
            LastError = ex;
            try
            {
                _session.TryRetractAll(_facts.Distinct(ReferenceEqualityComparer.Instance).ToList()!);
            }
            catch (Exception cleanup) when (cleanup is not OutOfMemoryException)
            {
                LastError = cleanup;
            }

            _collector.Hits.Clear();
            EvaluateDirectly();
        }

        if (_collector.Hits.Count == 0)
        {
            return;
        }

        var hits = _collector.Hits;
        hits.Sort(static (a, b) =>
        {
            int c = a.Event.TimestampNs.CompareTo(b.Event.TimestampNs);
            if (c == 0) c = a.Event.EventId.CompareTo(b.Event.EventId);
            if (c == 0) c = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(a.Event).CompareTo(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(b.Event));
            return c != 0 ? c : a.Rule.CompareTo(b.Rule);
        });

        HarrierEvent? last = null;
        foreach (var (ruleIndex, e) in hits)
        {
            if (_set.RuleMatching == RuleMatchingMode.First && ReferenceEquals(last, e))
            {
                continue;
            }

            last = e;
            matches.Add(BuildMatch(_set.Rules[ruleIndex], e));
        }
    }

    /// <summary>Batches that NRules failed on and that were evaluated directly instead (see <see cref="LastError"/>).</summary>
    public long EvaluationErrors { get; private set; }

    /// <summary>The last exception NRules raised, for health reporting.</summary>
    public Exception? LastError { get; private set; }

    private void RunSession()
    {
        try
        {
            _session.InsertAll(_facts);
        }
        catch (ArgumentException)
        {
            // The same instance twice in one batch (InsertAll may have inserted some): insert each once.
            var distinct = _facts.Distinct(ReferenceEqualityComparer.Instance).ToList();
            _session.TryRetractAll(distinct!);
            _facts.Clear();
            _facts.AddRange(distinct!);
            _session.InsertAll(_facts);
        }

        if (SimulateSessionFault)
        {
            throw new InvalidOperationException("simulated NRules failure (test hook)");
        }

        try
        {
            _session.Fire();
        }
        finally
        {
            _session.RetractAll(_facts);
        }
    }

    /// <summary>Test hook: make the next session runs fail after inserting the facts.</summary>
    internal bool SimulateSessionFault { get; set; }

    private void EvaluateDirectly()
    {
        var seen = new HashSet<HarrierEvent>(ReferenceEqualityComparer.Instance);
        foreach (var o in _facts)
        {
            var e = (HarrierEvent)o;
            if (!seen.Add(e))
            {
                continue;
            }

            foreach (var rule in _set.Rules)
            {
                try
                {
                    if (rule.EventTypes.Contains(e.Type) && rule.Predicate(e))
                    {
                        _collector.Hits.Add((rule.Index, e));
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    EvaluationErrors++;
                    LastError = ex;
                }
            }
        }
    }

    internal static RuleMatch BuildMatch(CompiledRule rule, HarrierEvent e)
    {
        var fields = new List<KeyValuePair<string, object?>>();
        var output = rule.Format.Render(e, fields);
        return new RuleMatch { Rule = rule, Event = e.CloneEvent(), Output = output, OutputFields = fields };
    }
}
