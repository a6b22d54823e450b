using Harrier.Rules.Diagnostics;

namespace Harrier.Rules.Reading;

/// <summary>
/// One entry of a rule's <c>exceptions:</c>. <see cref="Fields"/> is either one field (single form, values are a flat
/// list) or several (tuple form, each value is a tuple of the same arity whose items may themselves be lists).
/// </summary>
internal sealed class ExceptionSpec
{
    public required string Name { get; init; }

    public required SourceLocation Location { get; init; }

    /// <summary>True when <c>fields</c> was written as a sequence.</summary>
    public bool FieldsIsList { get; init; }

    public IReadOnlyList<string> Fields { get; init; } = Array.Empty<string>();

    /// <summary>One comp per field (defaults filled in: <c>in</c> for the single form, <c>=</c> for tuples).</summary>
    public IReadOnlyList<string> Comps { get; init; } = Array.Empty<string>();

    /// <summary>Values: for the single form, each entry is one item; for tuples, each entry is a tuple of items.</summary>
    public List<ExceptionValue> Values { get; init; } = new();
}
