namespace Harrier.Rules.Reading;

/// <summary>An exception value: a single item, or (tuple form) one item per field, each item a string or a list.</summary>
internal sealed class ExceptionValue
{
    public string? Item { get; init; }

    public IReadOnlyList<ExceptionValue>? Items { get; init; }

    public bool IsList => Items is not null;
}
