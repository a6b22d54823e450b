namespace Harrier.Rules.Correlation;

/// <summary>The two kinds of correlation rule Harrier adds to Falco's language.</summary>
public enum CorrelationKind
{
    /// <summary>Ordered steps, each a condition, within a window, grouped by a key; fires when the last step matches.</summary>
    Sequence,

    /// <summary>At least N matches of a condition (optionally N distinct values of a field) within a window, per key.</summary>
    Threshold,
}
