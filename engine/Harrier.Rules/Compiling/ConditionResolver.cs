using Harrier.Rules.Collecting;
using Harrier.Rules.Conditions;
using Harrier.Rules.Diagnostics;
using Harrier.Rules.Reading;

namespace Harrier.Rules.Compiling;

/// <summary>
/// Resolves names in parsed conditions: list names inside list values are replaced by the list's items (lists
/// are expanded one level when defined; unknown names stay literal strings), and macro identifiers are spliced
/// in as parsed trees. A macro sees only macros defined before it; a rule sees all. Loops are reported.
/// Not thread-safe; one per load.
/// </summary>
internal sealed class ConditionResolver
{
    private readonly RuleCollection _c;
    private readonly DiagnosticBag _diags;
    private readonly Dictionary<string, List<string>> _lists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _macroOrder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Node?> _macroAst = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Node> _macroResolved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _macroDepth = new(StringComparer.Ordinal);

    public ConditionResolver(RuleCollection c, DiagnosticBag diags)
    {
        _c = c;
        _diags = diags;
        foreach (var list in c.Lists)
        {
            var expanded = new List<string>();
            foreach (var item in list.Items)
            {
                if (_lists.TryGetValue(item, out var inner) && item != list.Name)
                {
                    expanded.AddRange(inner);
                    UsedLists.Add(item);
                }
                else
                {
                    expanded.Add(item);
                }
            }

            _lists[list.Name] = expanded;
        }

        for (int i = 0; i < c.Macros.Count; i++)
        {
            _macroOrder[c.Macros[i].Name] = i;
        }
    }

    public HashSet<string> UsedMacros { get; } = new(StringComparer.Ordinal);

    public HashSet<string> UsedLists { get; } = new(StringComparer.Ordinal);

    /// <summary>Macros whose own condition failed (reported once; users fail quietly with a pointer).</summary>
    public HashSet<string> BrokenMacros { get; } = new(StringComparer.Ordinal);

    /// <summary>The expanded items of a list, for tests and tooling.</summary>
    public IReadOnlyList<string>? ListItems(string name) => _lists.TryGetValue(name, out var l) ? l : null;

    /// <summary>Parses and resolves every macro up front so each problem is reported once, at the macro.</summary>
    public void ResolveAllMacros()
    {
        foreach (var m in _c.Macros)
        {
            try
            {
                ResolveMacro(m.Name, new List<string>());
            }
            catch (ConditionError ex)
            {
                if (BrokenMacros.Add(m.Name))
                {
                    Report(m, ex.Code, ex.Message, ex.Position, m.Condition ?? string.Empty);
                }
            }
        }
    }

    /// <summary>Resolves a rule's parsed condition (all macros visible).</summary>
    public Node ResolveRule(Node ast) => Resolve(ast, int.MaxValue, new List<string>(), null);

    internal void Report(RuleItem item, string code, string message, int pos, string text)
        => _diags.Error(code, Locate(item, pos, text), $"{item.KindName} '{item.Name}': {message}", item.Name, Caret(text, pos));

    /// <summary>file:line:col of offset <paramref name="pos"/> of <paramref name="text"/> (the condition as compiled).</summary>
    internal SourceLocation Locate(RuleItem item, int pos, string text)
    {
        var start = item.ConditionLocation.Line > 0 ? item.ConditionLocation : item.Location;

        // Exceptions wrap the condition in '(': offsets shift by one. Appended text came from other items: keep the start.
        var own = item.Condition ?? string.Empty;
        int shift = text.Length > own.Length && text.StartsWith('(') && string.CompareOrdinal(text, 1, own, 0, own.Length) == 0 ? 1 : 0;
        int p = pos - shift;
        if (p < 0 || p > own.Length || string.CompareOrdinal(text, shift, own, 0, own.Length) != 0)
        {
            return start;
        }

        return _diags.Locate(start, own, p);
    }

    /// <summary>A one-line excerpt of the condition with a caret under <paramref name="pos"/>.</summary>
    internal static string Caret(string text, int pos)
    {
        pos = Math.Clamp(pos, 0, text.Length);
        int start = Math.Max(0, pos - 40);
        int end = Math.Min(text.Length, pos + 40);
        var excerpt = text[start..end].Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
        return excerpt + "\n" + new string(' ', pos - start) + "^";
    }

    private Node ResolveMacro(string name, List<string> path)
    {
        if (_macroResolved.TryGetValue(name, out var done))
        {
            return done;
        }

        if (path.Contains(name))
        {
            var loop = string.Join(" -> ", path.SkipWhile(p => p != name).Append(name));
            throw new ConditionError(DiagnosticCodes.ReferenceLoop, $"macro reference loop: {loop}", 0);
        }

        var item = _c.MacrosByName[name];
        if (!_macroAst.TryGetValue(name, out var ast))
        {
            try
            {
                ast = ConditionParser.Parse(item.Condition ?? string.Empty);
            }
            catch (ConditionSyntaxException ex)
            {
                _macroAst[name] = null;
                BrokenMacros.Add(name);
                Report(item, DiagnosticCodes.ConditionSyntax, ex.Message, ex.Position, item.Condition ?? string.Empty);
                throw new ConditionError(DiagnosticCodes.ConditionSyntax, $"macro '{name}' has errors", 0);
            }

            _macroAst[name] = ast;
        }

        if (ast is null)
        {
            throw new ConditionError(DiagnosticCodes.ConditionSyntax, $"macro '{name}' has errors", 0);
        }

        path.Add(name);
        try
        {
            var resolved = Resolve(ast, _macroOrder[name], path, name);
            _macroResolved[name] = resolved;
            _macroDepth[name] = Depth(resolved);
            return resolved;
        }
        finally
        {
            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>Deepest resolved tree accepted (macros nest trees; compiling recurses over them).</summary>
    public const int MaxResolvedDepth = 400;

    private int _depth;

    private Node Resolve(Node n, int macroLimit, List<string> path, string? self)
    {
        if (++_depth > MaxResolvedDepth)
        {
            _depth = 0;
            throw new ConditionError(DiagnosticCodes.ConditionSyntax, $"condition nests deeper than {MaxResolvedDepth} levels after macro expansion", n.Pos);
        }

        try
        {
            return ResolveNode(n, macroLimit, path, self);
        }
        finally
        {
            if (_depth > 0) _depth--;
        }
    }

    private Node ResolveNode(Node n, int macroLimit, List<string> path, string? self)
    {
        switch (n)
        {
            case AndNode a:
                return new AndNode(a.Children.Select(x => Resolve(x, macroLimit, path, self)).ToList(), a.Pos);
            case OrNode o:
                return new OrNode(o.Children.Select(x => Resolve(x, macroLimit, path, self)).ToList(), o.Pos);
            case NotNode x:
                return new NotNode(Resolve(x.Child, macroLimit, path, self), x.Pos);
            case IdentNode id:
                if (!_macroOrder.TryGetValue(id.Name, out int order))
                {
                    var hint = _lists.ContainsKey(id.Name) ? $" ('{id.Name}' is a list: use it inside a value, e.g. field in ({id.Name}))" : string.Empty;
                    throw new ConditionError(DiagnosticCodes.UndefinedMacro, $"undefined macro '{id.Name}'{hint}", id.Pos);
                }

                if (id.Name == self || path.Contains(id.Name))
                {
                    var loop = string.Join(" -> ", path.SkipWhile(p => p != id.Name).Append(id.Name));
                    throw new ConditionError(DiagnosticCodes.ReferenceLoop, $"macro reference loop: {loop}", id.Pos);
                }

                if (order >= macroLimit)
                {
                    throw new ConditionError(DiagnosticCodes.UndefinedMacro, $"macro '{id.Name}' is used before it is defined (a macro can only use macros defined above it)", id.Pos);
                }

                UsedMacros.Add(id.Name);
                if (BrokenMacros.Contains(id.Name))
                {
                    throw new ConditionError(DiagnosticCodes.UndefinedMacro, $"uses macro '{id.Name}', which has errors", id.Pos);
                }

                try
                {
                    var spliced = ResolveMacro(id.Name, path);
                    if (_depth + _macroDepth.GetValueOrDefault(id.Name) > MaxResolvedDepth)
                    {
                        throw new ConditionError(DiagnosticCodes.ConditionSyntax, $"condition nests deeper than {MaxResolvedDepth} levels after macro expansion (through macro '{id.Name}')", id.Pos);
                    }

                    return spliced;
                }
                catch (ConditionError ex) when (ex.Code != DiagnosticCodes.ReferenceLoop && !ex.Message.StartsWith("condition nests deeper", StringComparison.Ordinal))
                {
                    throw new ConditionError(ex.Code, $"uses macro '{id.Name}', which has errors", id.Pos);
                }

            case CheckNode c:
                return c with { Left = ResolveOperand(c.Left), Right = c.Right is null ? null : ResolveOperand(c.Right) };
            default:
                return n;
        }
    }

    private Operand ResolveOperand(Operand o)
    {
        if (o is not ListOperand l)
        {
            return o;
        }

        var items = new List<LiteralOperand>(l.Items.Count);
        foreach (var item in l.Items)
        {
            if (!item.Quoted && _lists.TryGetValue(item.Value, out var values))
            {
                UsedLists.Add(item.Value);
                foreach (var v in values)
                {
                    items.Add(ListItemValue(v, item.Pos));
                }
            }
            else
            {
                items.Add(item);
            }
        }

        return new ListOperand(items, l.Pos);
    }

    /// <summary>Depth of a resolved tree (bounded by <see cref="MaxResolvedDepth"/>, so recursion is safe).</summary>
    private static int Depth(Node n) => n switch
    {
        AndNode a => 1 + a.Children.Max(Depth),
        OrNode o => 1 + o.Children.Max(Depth),
        NotNode x => 1 + Depth(x.Child),
        _ => 1,
    };

    /// <summary>A list item is text pasted into the condition: a quoted item is a quoted string.</summary>
    private static LiteralOperand ListItemValue(string text, int pos)
    {
        var t = text.Trim();
        if (t.Length >= 2 && (t[0] == '"' || t[0] == '\'') && t[^1] == t[0])
        {
            try
            {
                var parsed = ConditionParser.Parse("x.y = " + t);
                if (parsed is CheckNode { Right: LiteralOperand lit })
                {
                    return new LiteralOperand(lit.Value, true, pos);
                }
            }
            catch (ConditionSyntaxException)
            {
                // fall through: keep the text as is
            }
        }

        return new LiteralOperand(t, false, pos);
    }
}
