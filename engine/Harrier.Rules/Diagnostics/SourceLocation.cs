namespace Harrier.Rules.Diagnostics;

/// <summary>A position in a rule file: 1-based line and column, as YamlDotNet marks report them.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>No position known (e.g. an item built in code).</summary>
    public static SourceLocation None => new(string.Empty, 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
