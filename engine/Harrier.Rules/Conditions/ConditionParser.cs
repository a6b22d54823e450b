using System.Text;

namespace Harrier.Rules.Conditions;

/// <summary>
/// Parses Falco's condition language into an AST: <c>not</c> binds tighter than <c>and</c>, which binds tighter
/// than <c>or</c>; checks are <c>field op value</c>, <c>field exists</c>, or a bare identifier (a macro).
/// Recursion is bounded (<see cref="MaxDepth"/>) so hostile input cannot overflow the stack. Stateless per call.
/// </summary>
internal sealed class ConditionParser
{
    public const int MaxDepth = 100;
    public const int MaxLength = 1 << 20;

    private static readonly string[] Modifiers = { "oneof", "anyof", "allof" };

    private static readonly string[] Transformers = { "tolower", "toupper", "b64", "basename", "len", "join", "concat", "getopt" };

    private readonly string _s;
    private int _i;
    private int _depth;

    private ConditionParser(string s) => _s = s;

    /// <summary>Parses a condition. Throws <see cref="ConditionSyntaxException"/> with the offset of the problem.</summary>
    public static Node Parse(string text)
    {
        if (text.Length > MaxLength)
        {
            throw new ConditionSyntaxException($"condition is longer than {MaxLength} characters", 0);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ConditionSyntaxException("condition is empty", 0);
        }

        var p = new ConditionParser(text);
        var n = p.ParseOr();
        p.Blank();
        if (p._i != text.Length)
        {
            throw new ConditionSyntaxException($"unexpected '{p.Excerpt()}', expecting 'and', 'or' or the end of the condition", p._i);
        }

        return n;
    }

    private string Excerpt()
    {
        var len = Math.Min(20, _s.Length - _i);
        return _s.Substring(_i, len);
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new ConditionSyntaxException($"condition nests deeper than {MaxDepth} levels", _i);
        }
    }

    private bool Blank()
    {
        int start = _i;
        while (_i < _s.Length && _s[_i] is ' ' or '\t' or '\b' or '\r' or '\n' or '\f' or '\v')
        {
            _i++;
        }

        return _i > start;
    }

    private bool Lit(string t)
    {
        if (string.CompareOrdinal(_s, _i, t, 0, t.Length) == 0 && _i + t.Length <= _s.Length)
        {
            _i += t.Length;
            return true;
        }

        return false;
    }

    private static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private bool Keyword(string word)
    {
        if (string.CompareOrdinal(_s, _i, word, 0, word.Length) == 0 && _i + word.Length <= _s.Length
            && (_i + word.Length == _s.Length || !IsIdentChar(_s[_i + word.Length])))
        {
            _i += word.Length;
            return true;
        }

        return false;
    }

    private Node ParseOr()
    {
        Enter();
        int pos = _i;
        var children = new List<Node>();
        Blank();
        children.Add(ParseAnd());
        Blank();
        while (Keyword("or"))
        {
            children.Add(AfterConnective("or") ?? ParseAnd());
            Blank();
        }

        _depth--;
        return children.Count == 1 ? children[0] : new OrNode(children, pos);
    }

    private Node? AfterConnective(string word)
    {
        if (Blank())
        {
            return null;
        }

        if (Lit("("))
        {
            return Embedded();
        }

        throw new ConditionSyntaxException($"expected a blank or '(' after '{word}'", _i);
    }

    private Node ParseAnd()
    {
        Enter();
        int pos = _i;
        var children = new List<Node>();
        Blank();
        children.Add(ParseNot());
        Blank();
        while (Keyword("and"))
        {
            children.Add(AfterConnective("and") ?? ParseNot());
            Blank();
        }

        _depth--;
        return children.Count == 1 ? children[0] : new AndNode(children, pos);
    }

    private Node ParseNot()
    {
        Enter();
        Blank();
        int pos = _i;
        bool neg = false;
        while (true)
        {
            int save = _i;
            if (Keyword("not") && Blank())
            {
                neg = !neg;
                continue;
            }

            _i = save;
            break;
        }

        Node child;
        if (Lit("not("))
        {
            neg = !neg;
            child = Embedded();
        }
        else
        {
            child = ParseCheck();
        }

        _depth--;
        return neg ? new NotNode(child, pos) : child;
    }

    private Node Embedded()
    {
        Enter();
        Blank();
        var n = ParseOr();
        Blank();
        if (!Lit(")"))
        {
            throw new ConditionSyntaxException(_i >= _s.Length ? "expected ')' before the end of the condition" : $"expected ')' at '{Excerpt()}'", _i);
        }

        _depth--;
        return n;
    }

    private Node ParseCheck()
    {
        Enter();
        Blank();
        int pos = _i;
        if (Lit("("))
        {
            _depth--;
            return Embedded();
        }

        if (TryFieldName(out var fname))
        {
            var left = FieldRemainder(fname, pos);
            _depth--;
            return Condition(left, pos);
        }

        if (TryTransformer(out var tname))
        {
            var left = TransformerRemainder(tname, pos);
            _depth--;
            return Condition(left, pos);
        }

        if (TryIdentifier(out var id))
        {
            _depth--;
            return new IdentNode(id, pos);
        }

        throw new ConditionSyntaxException(_i >= _s.Length ? "unexpected end of condition: expected '(', a field check, or a macro name" : $"expected '(', a field check, or a macro name at '{Excerpt()}'", _i);
    }

    private bool TryIdentifier(out string id)
    {
        int j = _i;
        if (j < _s.Length && char.IsAsciiLetter(_s[j]))
        {
            while (j < _s.Length && IsIdentChar(_s[j])) j++;
            id = _s[_i..j];
            _i = j;
            return true;
        }

        id = string.Empty;
        return false;
    }

    private bool TryFieldName(out string name)
    {
        int j = _i;
        int segments = 0;
        while (true)
        {
            if (j >= _s.Length || !char.IsAsciiLetter(_s[j]))
            {
                break;
            }

            while (j < _s.Length && IsIdentChar(_s[j])) j++;
            segments++;
            if (j + 1 < _s.Length && _s[j] == '.' && char.IsAsciiLetter(_s[j + 1]))
            {
                j++;
                continue;
            }

            break;
        }

        if (segments >= 2)
        {
            name = _s[_i..j];
            _i = j;
            return true;
        }

        name = string.Empty;
        return false;
    }

    private bool TryTransformer(out string name)
    {
        foreach (var t in Transformers)
        {
            if (Lit(t + "("))
            {
                name = t;
                return true;
            }
        }

        name = string.Empty;
        return false;
    }

    private FieldOperand FieldRemainder(string name, int pos)
    {
        if (!Lit("["))
        {
            return new FieldOperand(name, null, pos);
        }

        string arg;
        if (_i < _s.Length && _s[_i] is '"' or '\'')
        {
            arg = QuotedString();
        }
        else
        {
            int j = _i;
            while (j < _s.Length && _s[j] is not (']' or '[' or '"' or '\'') && !char.IsWhiteSpace(_s[j])) j++;
            if (j == _i)
            {
                throw new ConditionSyntaxException("expected a field argument: a quoted or bare string", _i);
            }

            arg = _s[_i..j];
            _i = j;
        }

        if (!Lit("]"))
        {
            throw new ConditionSyntaxException("expected ']' closing the field argument", _i);
        }

        return new FieldOperand(name, arg, pos);
    }

    private TransformerOperand TransformerRemainder(string name, int pos)
    {
        Enter();
        var args = new List<Operand>();
        do
        {
            Blank();
            args.Add(TransformerArg());
            Blank();
        }
        while (Lit(","));

        if (!Lit(")"))
        {
            throw new ConditionSyntaxException($"expected ')' closing the '{name}' transformer", _i);
        }

        _depth--;
        return new TransformerOperand(name, args, pos);
    }

    private Operand TransformerArg()
    {
        int pos = _i;
        if (_i < _s.Length && _s[_i] is '"' or '\'')
        {
            return new LiteralOperand(QuotedString(), true, pos);
        }

        if (TryNumber(out var num))
        {
            return new LiteralOperand(num, false, pos);
        }

        if (TryTransformer(out var t))
        {
            return TransformerRemainder(t, pos);
        }

        if (TryFieldName(out var f))
        {
            return FieldRemainder(f, pos);
        }

        throw new ConditionSyntaxException("expected a transformer argument: a field, a transformer, a quoted string or a number", _i);
    }

    private bool TryNumber(out string num)
    {
        int j = _i;
        if (j + 1 < _s.Length && _s[j] == '0' && _s[j + 1] is 'x' or 'X')
        {
            j += 2;
            int k = j;
            while (j < _s.Length && char.IsAsciiLetterOrDigit(_s[j])) j++;
            if (j > k)
            {
                num = _s[_i..j];
                _i = j;
                return true;
            }

            num = string.Empty;
            return false;
        }

        if (j < _s.Length && _s[j] is '+' or '-') j++;
        int digits = j;
        while (j < _s.Length && char.IsAsciiDigit(_s[j])) j++;
        if (j == digits)
        {
            num = string.Empty;
            return false;
        }

        if (j < _s.Length && _s[j] == '.')
        {
            j++;
            while (j < _s.Length && char.IsAsciiDigit(_s[j])) j++;
        }

        if (j + 1 < _s.Length && _s[j] is 'e' or 'E' && _s[j + 1] is '+' or '-')
        {
            int k = j + 2;
            while (k < _s.Length && char.IsAsciiDigit(_s[k])) k++;
            if (k > j + 2) j = k;
        }

        num = _s[_i..j];
        _i = j;
        return true;
    }

    private Node Condition(Operand left, int pos)
    {
        Blank();
        if (Keyword("exists"))
        {
            return new CheckNode(left, "exists", null, pos);
        }

        foreach (var op in Operators.Numeric)
        {
            if (Lit(op))
            {
                Blank();
                return new CheckNode(left, op, NumValue(), pos);
            }
        }

        foreach (var op in Operators.String)
        {
            if (Operators.IsWord(op) ? KeywordFollowedByBlank(op) : Lit(op))
            {
                Blank();
                foreach (var modifier in Modifiers)
                {
                    int save = _i;
                    if (Keyword(modifier))
                    {
                        Blank();
                        if (_i < _s.Length && _s[_i] == '(')
                        {
                            var list = ListValue();
                            if (list is ListOperand { Items.Count: 0 })
                            {
                                throw new ConditionSyntaxException($"'{modifier}' needs at least one value", _i - 1);
                            }

                            return new CheckNode(left, op, list, pos) { Modifier = modifier };
                        }

                        _i = save; // a bare value that happens to read "anyof"
                    }
                }

                return new CheckNode(left, op, StrValue(), pos);
            }
        }

        foreach (var op in Operators.List)
        {
            if (Keyword(op) || Lit(op + "("))
            {
                if (_s[_i - 1] == '(')
                {
                    _i--;
                }

                Blank();
                return new CheckNode(left, op, ListValue(), pos);
            }
        }

        var found = _i >= _s.Length ? "the end of the condition" : $"'{Excerpt()}'";
        throw new ConditionSyntaxException($"expected a comparison operator (=, !=, <, <=, >, >=, contains, icontains, bcontains, startswith, bstartswith, endswith, glob, iglob, regex, in, intersects, pmatch, exists) after '{Display(left)}', found {found}", _i);
    }

    private bool KeywordFollowedByBlank(string word)
    {
        int save = _i;
        if (Keyword(word))
        {
            if (_i < _s.Length && _s[_i] is ' ' or '\t' or '\r' or '\n' or '\b')
            {
                return true;
            }
        }

        _i = save;
        return false;
    }

    private static string Display(Operand o) => o switch
    {
        FieldOperand f => f.Display,
        TransformerOperand t => t.Name + "(...)",
        _ => "value",
    };

    private Operand? TransformerOrVal()
    {
        int pos = _i;
        if (Lit("val("))
        {
            Blank();
            int fpos = _i;
            if (!TryFieldName(out var f))
            {
                throw new ConditionSyntaxException("expected a field within 'val'", _i);
            }

            var field = FieldRemainder(f, fpos);
            Blank();
            if (!Lit(")"))
            {
                throw new ConditionSyntaxException("expected ')' closing 'val'", _i);
            }

            return new TransformerOperand("val", new Operand[] { field }, pos);
        }

        if (TryTransformer(out var t))
        {
            return TransformerRemainder(t, pos);
        }

        return null;
    }

    private Operand NumValue()
    {
        int pos = _i;
        var t = TransformerOrVal();
        if (t is not null)
        {
            return t;
        }

        if (TryNumber(out var num))
        {
            return new LiteralOperand(num, false, pos);
        }

        throw new ConditionSyntaxException("expected a number, val(field) or a transformer", _i);
    }

    private Operand StrValue(bool allowTransformer = true)
    {
        int pos = _i;
        if (allowTransformer)
        {
            var t = TransformerOrVal();
            if (t is not null)
            {
                return t;
            }
        }

        if (_i < _s.Length && _s[_i] is '"' or '\'')
        {
            return new LiteralOperand(QuotedString(), true, pos);
        }

        int j = _i;
        while (j < _s.Length && _s[j] is not ('(' or ')' or '"' or '\'' or '=' or ',') && !char.IsWhiteSpace(_s[j])) j++;
        if (j == _i)
        {
            throw new ConditionSyntaxException(_i >= _s.Length ? "expected a value before the end of the condition" : $"expected a value at '{Excerpt()}'", _i);
        }

        var v = _s[_i..j];
        _i = j;
        return new LiteralOperand(v, false, pos);
    }

    private Operand ListValue()
    {
        int pos = _i;
        if (Lit("("))
        {
            var items = new List<LiteralOperand>();
            Blank();
            if (!Lit(")"))
            {
                items.Add((LiteralOperand)StrValue(false));
                Blank();
                while (Lit(","))
                {
                    Blank();
                    items.Add((LiteralOperand)StrValue(false));
                    Blank();
                }

                if (!Lit(")"))
                {
                    throw new ConditionSyntaxException(_i >= _s.Length ? "expected ')' closing the list before the end of the condition" : $"expected ',' or ')' in list at '{Excerpt()}'", _i);
                }
            }

            return new ListOperand(items, pos);
        }

        var t = TransformerOrVal();
        if (t is not null)
        {
            return t;
        }

        if (TryIdentifier(out var id))
        {
            // A bare list name: the compiler expands it like a one-item list.
            return new ListOperand(new[] { new LiteralOperand(id, false, pos) }, pos);
        }

        throw new ConditionSyntaxException("expected a list '(...)', a list name, or a transformer", _i);
    }

    private string QuotedString()
    {
        char q = _s[_i];
        int start = _i;
        _i++;
        var sb = new StringBuilder();
        while (_i < _s.Length)
        {
            char c = _s[_i++];
            if (c == q)
            {
                return sb.ToString();
            }

            if (c == '\\')
            {
                if (_i >= _s.Length)
                {
                    break;
                }

                char e = _s[_i++];
                switch (e)
                {
                    case '\\': sb.Append('\\'); break;
                    case '"': sb.Append('"'); break;
                    case '\'': sb.Append('\''); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    default:
                        // Unknown escapes stay as written, so regex escapes like \. and \d survive.
                        sb.Append('\\').Append(e);
                        break;
                }

                continue;
            }

            sb.Append(c);
        }

        throw new ConditionSyntaxException("unterminated quoted string", start);
    }
}
