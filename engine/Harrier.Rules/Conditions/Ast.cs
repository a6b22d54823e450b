namespace Harrier.Rules.Conditions;

/// <summary>A node of a parsed condition. <see cref="Pos"/> is the 0-based offset in the condition text.</summary>
internal abstract record Node(int Pos);

internal sealed record AndNode(IReadOnlyList<Node> Children, int Pos) : Node(Pos);

internal sealed record OrNode(IReadOnlyList<Node> Children, int Pos) : Node(Pos);

internal sealed record NotNode(Node Child, int Pos) : Node(Pos);

/// <summary>A bare identifier: a macro reference.</summary>
internal sealed record IdentNode(string Name, int Pos) : Node(Pos);

/// <summary>A constant that replaced a subtree (used by evaluation when a macro is known to be constant).</summary>
internal sealed record ConstNode(bool Value, int Pos) : Node(Pos);

/// <summary>
/// <c>left op right</c>; <see cref="Right"/> is null for unary operators (<c>exists</c>). With a list modifier
/// (<c>left op anyof (a, b)</c>, Falco 0.42+) the check is sugar for one check per item joined by <c>or</c>
/// (<c>anyof</c>), <c>and</c> (<c>allof</c>), or "exactly one is true" (<c>oneof</c>).
/// </summary>
internal sealed record CheckNode(Operand Left, string Op, Operand? Right, int Pos) : Node(Pos)
{
    public string? Modifier { get; init; }
}

/// <summary>Something that yields a value: a field, a transformer over operands, a literal or a list of literals.</summary>
internal abstract record Operand(int Pos);

internal sealed record FieldOperand(string Name, string? Arg, int Pos) : Operand(Pos)
{
    public string Display => Arg is null ? Name : $"{Name}[{Arg}]";
}

/// <summary><c>tolower(x)</c>, <c>val(field)</c>, <c>join(sep, field)</c>...</summary>
internal sealed record TransformerOperand(string Name, IReadOnlyList<Operand> Args, int Pos) : Operand(Pos);

internal sealed record LiteralOperand(string Value, bool Quoted, int Pos) : Operand(Pos);

internal sealed record ListOperand(IReadOnlyList<LiteralOperand> Items, int Pos) : Operand(Pos);
