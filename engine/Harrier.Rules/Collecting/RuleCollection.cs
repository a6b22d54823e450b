using Harrier.Rules.Reading;

namespace Harrier.Rules.Collecting;

/// <summary>The merged items of every loaded file, in definition order (a redefinition keeps the first position).</summary>
internal sealed class RuleCollection
{
    public List<RuleItem> Lists { get; } = new();

    public List<RuleItem> Macros { get; } = new();

    public List<RuleItem> Rules { get; } = new();

    public Dictionary<string, RuleItem> ListsByName { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, RuleItem> MacrosByName { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, RuleItem> RulesByName { get; } = new(StringComparer.Ordinal);
}
