namespace Harrier.Rules.Compiling;

/// <summary>A condition that parsed but cannot compile (unknown field, wrong operator for the type, bad regex...).</summary>
internal sealed class ConditionError : Exception
{
    public ConditionError(string code, string message, int position)
        : base(message)
    {
        Code = code;
        Position = position;
    }

    public string Code { get; }

    public int Position { get; }
}
