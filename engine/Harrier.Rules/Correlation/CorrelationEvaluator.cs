using System.Text.RegularExpressions;
using Harrier.Events;
using Harrier.Rules.Output;
using NRules;

namespace Harrier.Rules.Correlation;

/// <summary>
/// Runs the correlation rules over the event stream: each event that matches a step becomes a
/// <see cref="CorrelationFact"/> in a long-lived NRules session, kept for its rule's window only; NRules joins
/// (sequences) and aggregates (thresholds) fire; a firing consumes the facts of that rule and key so it fires once.
/// State is bounded: past <c>maxFacts</c> the oldest facts are evicted and counted. Not thread-safe: one per
/// pipeline thread.
/// </summary>
public sealed partial class CorrelationEvaluator
{
    private readonly CorrelationSet _set;
    private readonly ISession? _session;
    private readonly TimeProvider _time;
    private readonly int _maxFacts;
    private readonly CorrelationCollector _collector = new();
    private readonly Queue<CorrelationFact> _byAge = new();
    private readonly HashSet<CorrelationFact> _live = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(int, string), List<CorrelationFact>> _byKey = new();
    private readonly long[] _windowTicks;
    private readonly long _origin;
    private long _seq;

    internal CorrelationEvaluator(CorrelationSet set, ISession? session, TimeProvider time, int maxFacts)
    {
        _set = set;
        _session = session;
        _time = time;
        _maxFacts = Math.Max(1, maxFacts);
        _windowTicks = set.Specs.Select(s => s.Window.Ticks).ToArray();
        _origin = time.GetTimestamp();
        if (_session is not null)
        {
            _session.ActionInterceptor = _collector;
        }
    }

    /// <summary>Step facts held now.</summary>
    public int Facts => _live.Count;

    /// <summary>Facts evicted because the cap was reached (state that could have completed a correlation).</summary>
    public long Evictions { get; private set; }

    /// <summary>Correlation rules fired so far.</summary>
    public long Fired { get; private set; }

    /// <summary>Feeds one batch; firings are appended to <paramref name="matches"/>.</summary>
    public void Evaluate(ReadOnlySpan<HarrierEvent> batch, List<RuleMatch> matches)
    {
        if (_session is null)
        {
            return;
        }

        long now = _time.GetElapsedTime(_origin).Ticks;
        Prune(now);
        bool inserted = false;
        foreach (var e in batch)
        {
            if (e is null)
            {
                continue;
            }

            for (int id = 0; id < _set.Specs.Count; id++)
            {
                var spec = _set.Specs[id];
                HarrierEvent? clone = null;
                for (int step = 0; step < spec.Steps.Count; step++)
                {
                    if (step < spec.StepTypes.Count && spec.StepTypes[step].Count > 0 && !spec.StepTypes[step].Contains(e.Type))
                    {
                        continue;
                    }

                    if (!spec.Steps[step](e) || Key(spec, e) is not { } key)
                    {
                        continue;
                    }

                    // A later step is only worth keeping when an earlier one of the same key is waiting: most events
                    // that match a last step (every outbound connect, say) then cost no state at all.
                    if (spec.Kind == CorrelationKind.Sequence && step > 0 && !Waiting(id, key, step - 1))
                    {
                        continue;
                    }

                    string? distinct = null;
                    if (spec.Distinct is { } d)
                    {
                        distinct = Text(d.Field.Extract(e, d.Arg));
                        if (distinct is null)
                        {
                            continue; // a missing distinct field counts nothing, as Falco treats missing fields
                        }
                    }

                    clone ??= e.CloneEvent();
                    Insert(new CorrelationFact { RuleId = id, Step = step, Key = key, Time = now, Seq = ++_seq, Event = clone, Distinct = distinct });
                    inserted = true;
                }
            }
        }

        if (!inserted)
        {
            return;
        }

        _collector.Fired.Clear();
        _session.Fire();
        foreach (var (id, facts) in _collector.Fired)
        {
            if (facts.Count == 0 || !facts.All(_live.Contains))
            {
                continue; // already consumed by an earlier firing of this batch
            }

            Fired++;
            matches.Add(ToMatch(_set.Specs[id], facts));
            if (_byKey.TryGetValue((id, facts[0].Key), out var list))
            {
                foreach (var f in list.ToArray())
                {
                    Retract(f);
                }
            }
        }
    }

    private bool Waiting(int id, string key, int step) =>
        _byKey.TryGetValue((id, key), out var list) && list.Exists(f => f.Step == step);

    private void Insert(CorrelationFact f)
    {
        while (_live.Count >= _maxFacts && _byAge.Count > 0)
        {
            var old = _byAge.Dequeue();
            if (_live.Contains(old))
            {
                Retract(old);
                Evictions++;
            }
        }

        _session!.Insert(f);
        _live.Add(f);
        _byAge.Enqueue(f);
        if (!_byKey.TryGetValue((f.RuleId, f.Key), out var list))
        {
            _byKey[(f.RuleId, f.Key)] = list = new List<CorrelationFact>();
        }

        list.Add(f);
    }

    private void Retract(CorrelationFact f)
    {
        if (!_live.Remove(f))
        {
            return;
        }

        _session!.Retract(f);
        if (_byKey.TryGetValue((f.RuleId, f.Key), out var list))
        {
            list.Remove(f);
            if (list.Count == 0)
            {
                _byKey.Remove((f.RuleId, f.Key));
            }
        }
    }

    /// <summary>
    /// Drops dead facts and facts older than their rule's window from the head of the age queue. A live fact of a
    /// longer window at the head holds back later expired ones until it expires itself; they cannot match meanwhile,
    /// because every join and aggregate condition checks the window, and the cap bounds the memory.
    /// </summary>
    private void Prune(long now)
    {
        while (_byAge.Count > 0)
        {
            var f = _byAge.Peek();
            if (_live.Contains(f) && now - f.Time <= _windowTicks[f.RuleId])
            {
                break;
            }

            _byAge.Dequeue();
            Retract(f);
        }

        if (_byAge.Count > 2 * _maxFacts + 1024)
        {
            // Drop already-retracted entries so the queue stays bounded.
            var keep = _byAge.Where(_live.Contains).ToArray();
            _byAge.Clear();
            foreach (var f in keep)
            {
                _byAge.Enqueue(f);
            }
        }
    }

    private static string? Key(CorrelationSpec spec, HarrierEvent e)
    {
        if (spec.Key.Count == 1)
        {
            return Text(spec.Key[0].Field.Extract(e, spec.Key[0].Arg));
        }

        var parts = new string[spec.Key.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            if (Text(spec.Key[i].Field.Extract(e, spec.Key[i].Arg)) is not { } v)
            {
                return null;
            }

            parts[i] = v;
        }

        return string.Join('\u001f', parts);
    }

    private static string? Text(object? v) => v switch
    {
        null => null,
        string s => s,
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    /// <summary>Renders the output: <c>%stepN.field</c> (N from 1) reads step N's event, plain fields the last one's.</summary>
    private static RuleMatch ToMatch(CorrelationSpec spec, IReadOnlyList<CorrelationFact> facts)
    {
        var last = facts[^1].Event;
        var fields = new List<KeyValuePair<string, object?>>();
        string template = CorrelationOps.StepRef().Replace(spec.Rule.Output, m =>
        {
            int n = int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            string name = m.Groups["field"].Value;
            string? arg = m.Groups["arg"].Success ? m.Groups["arg"].Value : null;
            var stepFact = spec.Kind == CorrelationKind.Sequence
                ? facts.FirstOrDefault(f => f.Step == n - 1)
                : n - 1 < facts.Count ? facts[n - 1] : null;
            object? value = stepFact is not null && FieldRegistry.TryGet(name, out var fi) ? fi.Extract(stepFact.Event, arg) : null;
            fields.Add(new(m.Value[1..], value));
            return Text(value) ?? "<NA>";
        });
        if (spec.Kind == CorrelationKind.Threshold)
        {
            template = template.Replace("%harrier.count", facts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        var rest = new List<KeyValuePair<string, object?>>();
        string output = OutputFormat.Parse(template).Render(last, rest);
        fields.AddRange(rest);
        return new RuleMatch { Rule = spec.Rule, Event = last, Output = output, OutputFields = fields };
    }

}
