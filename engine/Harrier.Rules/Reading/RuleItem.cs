using Harrier.Events;
using Harrier.Rules.Diagnostics;

namespace Harrier.Rules.Reading;

/// <summary>
/// One top-level item of a rule file as read: typed keys plus presence flags so the collector can apply
/// <c>append</c>/<c>override</c> per key. Keys the reader does not know yet stay in <see cref="Extra"/>, so new item
/// keys (e.g. correlation <c>sequence:</c>/<c>threshold:</c>) can be added without changing the reader's shape.
/// </summary>
internal sealed class RuleItem
{
    public required RuleItemKind Kind { get; init; }

    public required string Name { get; set; }

    public required SourceLocation Location { get; init; }

    /// <summary>Order of appearance across all loaded files.</summary>
    public int Order { get; set; }

    public bool Append { get; set; }

    /// <summary>key → <c>append</c> or <c>replace</c>, from <c>override:</c>.</summary>
    public Dictionary<string, string> Override { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys written in the item (besides the kind key), with their value's location.</summary>
    public Dictionary<string, SourceLocation> Present { get; } = new(StringComparer.Ordinal);

    // list
    public List<string> Items { get; set; } = new();

    // macro and rule
    public string? Condition { get; set; }

    public SourceLocation ConditionLocation { get; set; }

    // rule
    public string? Desc { get; set; }

    public string? Output { get; set; }

    public Priority? Priority { get; set; }

    public bool? Enabled { get; set; }

    public List<string>? Tags { get; set; }

    public string? Source { get; set; }

    public List<ExceptionSpec>? Exceptions { get; set; }

    public bool? WarnEvttypes { get; set; }

    public bool? SkipIfUnknownFilter { get; set; }

    public bool? Capture { get; set; }

    public RuleAction? Action { get; set; }

    /// <summary>Keys not (yet) interpreted, kept with their positions.</summary>
    public Dictionary<string, RawValue> Extra { get; } = new(StringComparer.Ordinal);

    // required_engine_version / required_plugin_versions
    public string? Version { get; set; }

    public List<KeyValuePair<string, string>> Plugins { get; } = new();

    public string KindName => Kind switch
    {
        RuleItemKind.Rule => "rule",
        RuleItemKind.Macro => "macro",
        RuleItemKind.List => "list",
        RuleItemKind.RequiredEngineVersion => "required_engine_version",
        _ => "required_plugin_versions",
    };

    /// <summary>A shallow copy whose collections are fresh (so merging never mutates what the reader returned).</summary>
    /// <summary>Harrier's <c>sequence:</c>/<c>threshold:</c> block, when the rule is a correlation rule.</summary>
    public CorrelationItem? Correlation { get; set; }

    public RuleItem Copy()
    {
        var c = new RuleItem
        {
            Kind = Kind, Name = Name, Location = Location, Order = Order, Append = Append,
            Items = new List<string>(Items), Condition = Condition, ConditionLocation = ConditionLocation,
            Desc = Desc, Output = Output, Priority = Priority, Enabled = Enabled,
            Tags = Tags is null ? null : new List<string>(Tags), Source = Source,
            Exceptions = Exceptions is null ? null : new List<ExceptionSpec>(Exceptions),
            WarnEvttypes = WarnEvttypes, SkipIfUnknownFilter = SkipIfUnknownFilter, Capture = Capture,
            Action = Action, Version = Version, Correlation = Correlation,
        };
        foreach (var kv in Override) c.Override[kv.Key] = kv.Value;
        foreach (var kv in Present) c.Present[kv.Key] = kv.Value;
        foreach (var kv in Extra) c.Extra[kv.Key] = kv.Value;
        c.Plugins.AddRange(Plugins);
        return c;
    }
}
