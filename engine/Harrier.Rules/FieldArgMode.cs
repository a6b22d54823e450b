namespace Harrier.Rules;

/// <summary>Whether a field takes an argument in brackets (<c>proc.aname[2]</c>, <c>proc.env[HOME]</c>).</summary>
public enum FieldArgMode : byte
{
    None = 0,

    /// <summary>An optional non-negative index.</summary>
    OptionalIndex = 1,

    /// <summary>A required argument: an index or a name (<c>evt.arg[0]</c>, <c>evt.arg.flags</c>).</summary>
    Required = 2,

    /// <summary>An optional name (<c>proc.env</c> alone prints the whole environment).</summary>
    OptionalKey = 3,
}
