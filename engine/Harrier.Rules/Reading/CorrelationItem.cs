using Harrier.Rules.Correlation;
using Harrier.Rules.Diagnostics;

namespace Harrier.Rules.Reading;

/// <summary>The <c>sequence:</c> or <c>threshold:</c> block of a rule, as read (conditions not yet compiled).</summary>
internal sealed record CorrelationItem
{
    public required CorrelationKind Kind { get; init; }

    /// <summary>Step conditions (a threshold has one) with where each was written.</summary>
    public required IReadOnlyList<(string Condition, SourceLocation Location)> Steps { get; init; }

    /// <summary>Group-key fields (<c>by:</c>), e.g. <c>proc.pid</c>; at least one.</summary>
    public required IReadOnlyList<string> By { get; init; }

    public required TimeSpan Within { get; init; }

    public int Count { get; init; } = 1;

    public string? Distinct { get; init; }

    public required SourceLocation Location { get; init; }
}
