namespace Harrier.Rules.Compiling;

/// <summary>A condition uses a Falco field Harrier cannot supply: the rule is skipped with a warning.</summary>
internal sealed class UnsupportedFieldException : Exception
{
    public UnsupportedFieldException(string field, string reason, int position)
        : base($"field '{field}' is not supported by Harrier: {reason}")
    {
        Field = field;
        Reason = reason;
        Position = position;
    }

    public string Field { get; }

    public string Reason { get; }

    public int Position { get; }
}
