using System.Reflection;
using Harrier.Events;

namespace Harrier.Rules;

/// <summary>
/// One filter/output field: its Falco name, type, description, and an extractor over <see cref="HarrierEvent"/>.
/// Immutable and thread-safe. <see cref="Extract"/> returns null for a missing value (Falco prints <c>&lt;NA&gt;</c>).
/// </summary>
public sealed class FieldInfo
{
    private readonly Func<HarrierEvent, string?, object?> _boxed;

    internal FieldInfo(string name, FieldType type, string description, Delegate getter, FieldArgMode arg, EventClass[]? classes)
    {
        Name = name;
        Type = type;
        Description = description;
        Getter = getter;
        ArgMode = arg;
        Classes = classes ?? Enum.GetValues<EventClass>();
        _boxed = Box(getter);
    }

    public string Name { get; }

    public FieldType Type { get; }

    public string Description { get; }

    public FieldArgMode ArgMode { get; }

    /// <summary>The event classes that can carry a value for this field (others always read it as missing).</summary>
    public IReadOnlyList<EventClass> Classes { get; }

    /// <summary>The typed extractor: <c>Func&lt;HarrierEvent, string?, T&gt;</c>; T is string?, long?, bool?, an IP value, or a string list.</summary>
    internal Delegate Getter { get; }

    internal MethodInfo Method => Getter.Method;

    internal System.Type ValueType => Getter.Method.ReturnType;

    /// <summary>For fields whose meaning changes without an argument (<c>proc.aname</c>: every ancestor).</summary>
    internal FieldInfo? NoArgVariant { get; set; }

    /// <summary>For <see cref="FieldType.HostName"/> fields: the address the names are compared against.</summary>
    internal Func<HarrierEvent, string?, Fields.IpValue?>? Address { get; init; }

    /// <summary>For <see cref="FieldType.HostName"/> fields: the name (among those rules compare against) that the
    /// event's address resolves to, or null.</summary>
    internal string? NameOf(HarrierEvent e, Fields.DnsNameCache dns) => Address is { } a ? dns.NameOf(a(e, null)) : null;

    /// <summary>For fields that mean "either of": <c>fd.ip</c> is <c>fd.cip</c> or <c>fd.sip</c>.</summary>
    internal IReadOnlyList<string>? AnyOf { get; set; }

    /// <summary>The value for <paramref name="e"/> (boxed), or null when missing. IP values are returned as strings.</summary>
    public object? Extract(HarrierEvent e, string? arg = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (arg is null && NoArgVariant is not null)
        {
            return NoArgVariant.Extract(e, null);
        }

        if (AnyOf is not null)
        {
            foreach (var name in AnyOf)
            {
                if (FieldRegistry.TryGet(name, out var f) && f.Extract(e, arg) is { } v)
                {
                    return v;
                }
            }

            return null;
        }

        return _boxed(e, arg);
    }

    private static Func<HarrierEvent, string?, object?> Box(Delegate d) => d switch
    {
        Func<HarrierEvent, string?, string?> s => s,
        Func<HarrierEvent, string?, long?> n => (e, a) => n(e, a),
        Func<HarrierEvent, string?, bool?> b => (e, a) => b(e, a),
        Func<HarrierEvent, string?, Fields.IpValue?> ip => (e, a) => ip(e, a)?.ToString(),
        Func<HarrierEvent, string?, IReadOnlyList<string>?> l => (e, a) => l(e, a) is { } v ? string.Join(',', v) : null,
        _ => throw new ArgumentException("unsupported extractor type", nameof(d)),
    };
}
