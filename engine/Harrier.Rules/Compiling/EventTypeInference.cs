using Harrier.Events;
using Harrier.Rules.Conditions;

namespace Harrier.Rules.Compiling;

/// <summary>
/// Which event types can satisfy a condition, from its <c>evt.type</c> checks, as Falco indexes rules:
/// <c>and</c> intersects, <c>or</c> unites, <c>not</c> complements (De Morgan), any other check allows all types.
/// </summary>
internal static class EventTypeInference
{
    public static readonly IReadOnlySet<EventType> AllTypes = EventTypes.All.ToHashSet();

    public static HashSet<EventType> Infer(Node n) => Pos(n);

    private static HashSet<EventType> Pos(Node n) => n switch
    {
        AndNode a => a.Children.Select(Pos).Aggregate((x, y) => { x.IntersectWith(y); return x; }),
        OrNode o => o.Children.Select(Pos).Aggregate((x, y) => { x.UnionWith(y); return x; }),
        NotNode x => Neg(x.Child),
        ConstNode { Value: false } => new HashSet<EventType>(),
        CheckNode c when TypeSet(c) is { } s => c.Op == "!=" ? Complement(s) : s,
        _ => new HashSet<EventType>(AllTypes),
    };

    private static HashSet<EventType> Neg(Node n) => n switch
    {
        AndNode a => a.Children.Select(Neg).Aggregate((x, y) => { x.UnionWith(y); return x; }),
        OrNode o => o.Children.Select(Neg).Aggregate((x, y) => { x.IntersectWith(y); return x; }),
        NotNode x => Pos(x.Child),
        ConstNode { Value: true } => new HashSet<EventType>(),
        CheckNode c when TypeSet(c) is { } s => c.Op == "!=" ? s : Complement(s),
        _ => new HashSet<EventType>(AllTypes),
    };

    private static HashSet<EventType> Complement(HashSet<EventType> s)
    {
        var r = new HashSet<EventType>(AllTypes);
        r.ExceptWith(s);
        return r;
    }

    private static HashSet<EventType>? TypeSet(CheckNode c)
    {
        if (c.Left is not FieldOperand { Name: "evt.type", Arg: null } || c.Op is not ("=" or "==" or "!=" or "in") || c.Modifier is not null)
        {
            return null;
        }

        IEnumerable<string> names = c.Right switch
        {
            ListOperand l => l.Items.Select(i => i.Value),
            LiteralOperand lit => new[] { lit.Value },
            _ => null!,
        };
        if (names is null)
        {
            return null;
        }

        var set = new HashSet<EventType>();
        foreach (var name in names)
        {
            if (EventTypes.TryParse(name, out var t))
            {
                set.Add(t);
            }
        }

        return set;
    }

    /// <summary>Names in evt.type checks that Harrier does not capture (reported as warnings).</summary>
    public static IEnumerable<string> UnknownTypeNames(Node n)
    {
        switch (n)
        {
            case AndNode a: return a.Children.SelectMany(UnknownTypeNames);
            case OrNode o: return o.Children.SelectMany(UnknownTypeNames);
            case NotNode x: return UnknownTypeNames(x.Child);
            case CheckNode { Left: FieldOperand { Name: "evt.type" } } c when c.Right is ListOperand or LiteralOperand:
                var names = c.Right is ListOperand l ? l.Items.Select(i => i.Value) : new[] { ((LiteralOperand)c.Right).Value };
                return names.Where(nm => !EventTypes.TryParse(nm, out _));
            default: return Enumerable.Empty<string>();
        }
    }
}
