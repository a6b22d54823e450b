using Harrier.Rules.Diagnostics;

namespace Harrier.Rules.Reading;

/// <summary>
/// A YAML value detached from YamlDotNet, with its position: a scalar, a sequence or a mapping.
/// Used for every key, so later stages (and future keys such as <c>sequence:</c>) keep file:line:col.
/// </summary>
internal sealed class RawValue
{
    public required SourceLocation Location { get; init; }

    /// <summary>Scalar text, or null for sequences and mappings.</summary>
    public string? Scalar { get; init; }

    /// <summary>True when the scalar was written in quotes or as a block (so <c>true</c> stays a string).</summary>
    public bool Quoted { get; init; }

    public IReadOnlyList<RawValue>? Sequence { get; init; }

    /// <summary>Mapping entries in file order; keys are scalars.</summary>
    public IReadOnlyList<KeyValuePair<RawValue, RawValue>>? Mapping { get; init; }

    public bool IsScalar => Scalar is not null;

    public string KindName => Scalar is not null ? "a scalar" : Sequence is not null ? "a sequence" : "a mapping";
}
