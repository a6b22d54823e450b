using System.Globalization;
using Harrier.Events;
using Harrier.Rules.Conditions;

namespace Harrier.Rules.Evaluation;

/// <summary>
/// The pre-match stage for one event type: decides cheaply whether any rule of that type can match an event.
/// Rules whose condition requires, at its top level, <c>field = v</c> / <c>field in (...)</c> on a string or number
/// field, or <c>field startswith /dir/</c>, are indexed by that value (a hash lookup per indexed field instead of one
/// check per rule); the rest are checked one by one. Every candidate's full compiled condition is still evaluated.
/// Immutable after construction; thread-safe; no allocation per event.
/// </summary>
internal sealed class PreMatcher
{
    private readonly Func<HarrierEvent, bool>[] _linear;
    private readonly StringIndex[] _strings;
    private readonly NumberIndex[] _numbers;
    private readonly PrefixIndex[] _prefixes;

    public PreMatcher(IReadOnlyList<(Node Condition, Func<HarrierEvent, bool> Predicate)> rules)
    {
        var linear = new List<Func<HarrierEvent, bool>>();
        var strings = new Dictionary<string, (FieldInfo F, string? Arg, Dictionary<string, List<Func<HarrierEvent, bool>>> Map)>(StringComparer.Ordinal);
        var numbers = new Dictionary<string, (FieldInfo F, string? Arg, Dictionary<long, List<Func<HarrierEvent, bool>>> Map)>(StringComparer.Ordinal);
        var prefixes = new Dictionary<string, (FieldInfo F, string? Arg, Dictionary<string, List<Func<HarrierEvent, bool>>> Map)>(StringComparer.Ordinal);

        foreach (var (cond, pred) in rules)
        {
            var key = FindKey(cond);
            if (key is null)
            {
                linear.Add(pred);
                continue;
            }

            var (field, arg, op, values) = key.Value;
            var id = field.Name + "\0" + arg;
            if (op == "startswith")
            {
                if (!prefixes.TryGetValue(id, out var p))
                {
                    prefixes[id] = p = (field, arg, new Dictionary<string, List<Func<HarrierEvent, bool>>>(StringComparer.Ordinal));
                }

                Add(p.Map, values[0], pred);
            }
            else if (field.Type == FieldType.Number)
            {
                if (!numbers.TryGetValue(id, out var n))
                {
                    numbers[id] = n = (field, arg, new Dictionary<long, List<Func<HarrierEvent, bool>>>());
                }

                foreach (var v in values)
                {
                    Add(n.Map, ParseLong(v), pred);
                }
            }
            else
            {
                if (!strings.TryGetValue(id, out var s))
                {
                    strings[id] = s = (field, arg, new Dictionary<string, List<Func<HarrierEvent, bool>>>(StringComparer.Ordinal));
                }

                foreach (var v in values.Distinct(StringComparer.Ordinal))
                {
                    Add(s.Map, v, pred);
                }
            }
        }

        _linear = linear.ToArray();
        _strings = strings.Values.Select(s => new StringIndex(Bind<string?>(s.F, s.Arg), Freeze(s.Map))).ToArray();
        _numbers = numbers.Values.Select(n => new NumberIndex(Bind<long?>(n.F, n.Arg), n.Map.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()))).ToArray();
        _prefixes = prefixes.Values.Select(p => new PrefixIndex(Bind<string?>(p.F, p.Arg), Freeze(p.Map))).ToArray();
        IndexedRules = rules.Count - linear.Count;
    }

    /// <summary>How many rules are reached through an index rather than checked one by one.</summary>
    public int IndexedRules { get; }

    private sealed record StringIndex(Func<HarrierEvent, string?> Get, Dictionary<string, Func<HarrierEvent, bool>[]> Map)
    {
        public Dictionary<string, Func<HarrierEvent, bool>[]>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } = Map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private sealed record NumberIndex(Func<HarrierEvent, long?> Get, Dictionary<long, Func<HarrierEvent, bool>[]> Map);

    private sealed record PrefixIndex(Func<HarrierEvent, string?> Get, Dictionary<string, Func<HarrierEvent, bool>[]> Map)
    {
        public Dictionary<string, Func<HarrierEvent, bool>[]>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } = Map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool AnyMatch(HarrierEvent e)
    {
        foreach (var p in _linear)
        {
            if (p(e)) return true;
        }

        foreach (var s in _strings)
        {
            if (s.Get(e) is { } v && s.Map.TryGetValue(v, out var preds) && Any(preds, e)) return true;
        }

        foreach (var n in _numbers)
        {
            if (n.Get(e) is { } v && n.Map.TryGetValue(v, out var preds) && Any(preds, e)) return true;
        }

        foreach (var p in _prefixes)
        {
            if (p.Get(e) is not { } v) continue;
            for (int i = v.IndexOf('/'); i >= 0; i = v.IndexOf('/', i + 1))
            {
                if (p.Lookup.TryGetValue(v.AsSpan(0, i + 1), out var preds) && Any(preds, e)) return true;
            }
        }

        return false;
    }

    private static bool Any(Func<HarrierEvent, bool>[] preds, HarrierEvent e)
    {
        foreach (var p in preds)
        {
            if (p(e)) return true;
        }

        return false;
    }

    private static void Add<TKey>(Dictionary<TKey, List<Func<HarrierEvent, bool>>> map, TKey key, Func<HarrierEvent, bool> pred)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = new List<Func<HarrierEvent, bool>>();
        }

        if (!list.Contains(pred)) list.Add(pred);
    }

    private static Dictionary<string, Func<HarrierEvent, bool>[]> Freeze(Dictionary<string, List<Func<HarrierEvent, bool>>> m)
        => m.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

    private static Func<HarrierEvent, T> Bind<T>(FieldInfo f, string? arg)
    {
        var g = (Func<HarrierEvent, string?, T>)f.Getter;
        return e => g(e, arg);
    }

    private static long ParseLong(string text)
    {
        var t = text.Trim();
        return t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.Parse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long d) ? d : (long)double.Parse(t, CultureInfo.InvariantCulture);
    }

    /// <summary>A top-level conjunct usable as an index key, preferring equality over prefixes.</summary>
    private static (FieldInfo Field, string? Arg, string Op, IReadOnlyList<string> Values)? FindKey(Node cond)
    {
        (FieldInfo, string?, string, IReadOnlyList<string>)? prefix = null;
        foreach (var c in Conjuncts(cond))
        {
            if (c is not CheckNode { Left: FieldOperand f, Modifier: null } check || f.Name == "evt.type")
            {
                continue;
            }

            var (name, arg) = FieldRegistry.Normalize(f.Name, f.Arg);
            if (!FieldRegistry.TryGet(name, out var info) || info.AnyOf is not null || (arg is null && info.NoArgVariant is not null))
            {
                continue;
            }

            if (info.Type is not (FieldType.String or FieldType.Number) || info.ValueType != (info.Type == FieldType.String ? typeof(string) : typeof(long?)))
            {
                continue;
            }

            switch (check.Op)
            {
                case "=" or "==" when check.Right is LiteralOperand lit:
                    if (info.Type == FieldType.Number && !IsNumber(lit.Value)) continue;
                    return (info, arg, "=", new[] { lit.Value });
                case "in" when check.Right is ListOperand l && l.Items.Count > 0:
                    if (info.Type == FieldType.Number && !l.Items.All(i => IsNumber(i.Value))) continue;
                    return (info, arg, "in", l.Items.Select(i => i.Value).ToList());
                case "startswith" when info.Type == FieldType.String && check.Right is LiteralOperand p && p.Value.EndsWith('/') && p.Value.StartsWith('/'):
                    prefix ??= (info, arg, "startswith", new[] { p.Value });
                    break;
            }
        }

        return prefix;
    }

    private static bool IsNumber(string s)
    {
        var t = s.Trim();
        return t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _)
            : long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
    }

    private static IEnumerable<Node> Conjuncts(Node n)
    {
        if (n is AndNode a)
        {
            foreach (var c in a.Children)
            {
                foreach (var x in Conjuncts(c))
                {
                    yield return x;
                }
            }
        }
        else
        {
            yield return n;
        }
    }
}
