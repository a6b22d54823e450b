namespace Harrier.Rules.Compiling;

/// <summary>A condition uses a field nobody knows (a typo, or a plugin field): an error unless the rule sets
/// <c>skip-if-unknown-filter: true</c>.</summary>
internal sealed class UnknownFieldException : Exception
{
    public UnknownFieldException(string field, int position)
        : base($"unknown field '{field}'")
    {
        Field = field;
        Position = position;
    }

    public string Field { get; }

    public int Position { get; }
}
