namespace Harrier.Rules.Conditions;

/// <summary>A condition could not be parsed or compiled; <see cref="Position"/> is the 0-based offset in the text.</summary>
public sealed class ConditionSyntaxException : Exception
{
    public ConditionSyntaxException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    public int Position { get; }
}
