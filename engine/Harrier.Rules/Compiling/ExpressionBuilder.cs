using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Harrier.Events;
using Harrier.Rules.Conditions;
using Harrier.Rules.Diagnostics;
using Harrier.Rules.Evaluation;
using Harrier.Rules.Fields;

namespace Harrier.Rules.Compiling;

/// <summary>
/// Compiles a resolved condition AST (macros spliced, lists expanded) into a LINQ expression tree over one event
/// class. Fields that the class cannot carry fold to "missing", and checks on them to false, so each class gets
/// a small tree. Throws <see cref="ConditionError"/>, <see cref="UnknownFieldException"/> or
/// <see cref="UnsupportedFieldException"/>. Not thread-safe (caches regexes per load).
/// </summary>
internal sealed class ExpressionBuilder
{
    private static readonly TimeSpan RegexTimeout = Regex.InfiniteMatchTimeout;
    private readonly Dictionary<string, Regex> _regexes = new(StringComparer.Ordinal);
    private readonly DnsNameCache _dns;
    private readonly List<DnsName> _names = new();
    private ParameterExpression _e = null!;
    private EventClass? _class;

    private readonly record struct Built(Expression? Expr, bool? Const)
    {
        public static Built True => new(null, true);

        public static Built False => new(null, false);
    }

    private readonly record struct Value(Expression Expr, FieldType Type, bool Missing)
    {
        /// <summary>A real list (set semantics for <c>in</c>), not the ancestor walk of <c>proc.aname</c>.</summary>
        public bool IsSet { get; init; }
    }

    /// <param name="dns">Where <c>fd.*ip.name</c> checks find their names' addresses (default: the shared cache).</param>
    public ExpressionBuilder(DnsNameCache? dns = null) => _dns = dns ?? DnsNameCache.Shared;

    /// <summary>Where this builder's <c>fd.*ip.name</c> checks find their names' addresses.</summary>
    public DnsNameCache Dns => _dns;

    /// <summary>The DNS names that conditions built so far compare addresses against (a name may appear twice).</summary>
    public IReadOnlyList<DnsName> DnsNames => _names;

    /// <summary>Forgets the names recorded after the first <paramref name="count"/> (a rule that was then skipped).</summary>
    public void TruncateDnsNames(int count) => _names.RemoveRange(count, _names.Count - count);

    /// <summary>Builds <c>e =&gt; condition</c> where e is of <paramref name="paramType"/>; <paramref name="cls"/> null means any class.</summary>
    public LambdaExpression Build(Node node, Type paramType, EventClass? cls)
    {
        _e = Expression.Parameter(paramType, "e");
        _class = cls;
        var b = Compile(node);
        var body = b.Expr ?? Expression.Constant(b.Const!.Value);
        return Expression.Lambda(body, _e);
    }

    /// <summary>Builds the condition and reports whether it folded to a constant for this class.</summary>
    public bool? ConstantFor(Node node, EventClass cls)
    {
        _e = Expression.Parameter(typeof(HarrierEvent), "e");
        _class = cls;
        return Compile(node).Const;
    }

    private Built Compile(Node n)
    {
        switch (n)
        {
            case AndNode a:
            {
                var parts = a.Children.Select(Compile).ToList();
                if (parts.Any(p => p.Const == false)) return Built.False;
                var exprs = parts.Where(p => p.Const is null).Select(p => p.Expr!).ToList();
                return exprs.Count == 0 ? Built.True : new Built(exprs.Aggregate(Expression.AndAlso), null);
            }

            case OrNode o:
            {
                var parts = o.Children.Select(Compile).ToList();
                if (parts.Any(p => p.Const == true)) return Built.True;
                var exprs = parts.Where(p => p.Const is null).Select(p => p.Expr!).ToList();
                return exprs.Count == 0 ? Built.False : new Built(exprs.Aggregate(Expression.OrElse), null);
            }

            case NotNode x:
            {
                var c = Compile(x.Child);
                return c.Const is { } k ? new Built(null, !k) : new Built(Expression.Not(c.Expr!), null);
            }

            case ConstNode k:
                return new Built(null, k.Value);
            case CheckNode c:
                return CompileCheck(c);
            case IdentNode id:
                throw new ConditionError(DiagnosticCodes.UndefinedMacro, $"undefined macro '{id.Name}'", id.Pos);
            default:
                throw new ConditionError(DiagnosticCodes.ConditionSyntax, "unexpected node", n.Pos);
        }
    }

    private static FieldInfo Lookup(FieldOperand f, out string? arg)
    {
        var (name, a) = FieldRegistry.Normalize(f.Name, f.Arg);
        arg = a;
        if (FieldRegistry.UnsupportedReason(name) is { } reason)
        {
            throw new UnsupportedFieldException(f.Display, reason, f.Pos);
        }

        if (!FieldRegistry.TryGet(name, out var info))
        {
            throw new UnknownFieldException(f.Display, f.Pos);
        }

        switch (info.ArgMode)
        {
            case FieldArgMode.None when arg is not null:
                throw new ConditionError(DiagnosticCodes.InvalidOperand, $"field '{name}' does not take an argument", f.Pos);
            case FieldArgMode.Required when arg is null:
                throw new ConditionError(DiagnosticCodes.InvalidOperand, $"field '{name}' requires an argument, e.g. {name}[0] or {name}.name", f.Pos);
            case FieldArgMode.OptionalIndex when arg is not null && !int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out _):
                throw new ConditionError(DiagnosticCodes.InvalidOperand, $"field '{name}' takes a non-negative index, not '{arg}'", f.Pos);
        }

        return arg is null && info.NoArgVariant is not null ? info.NoArgVariant : info;
    }

    private Built CompileCheck(CheckNode c)
    {
        if (c.Modifier is { } modifier)
        {
            return CompileModifier(c, modifier);
        }

        // fd.ip / fd.port / fd.net: "either" fields become an 'or' ('!=' an 'and') over their parts.
        if (c.Left is FieldOperand lf && FieldRegistry.TryGet(FieldRegistry.Normalize(lf.Name, lf.Arg).Name, out var alias) && alias.AnyOf is { } parts)
        {
            var checks = parts.Select(p => (Node)new CheckNode(new FieldOperand(p, lf.Arg, lf.Pos), c.Op, c.Right, c.Pos)).ToList();
            return Compile(c.Op == "!=" ? new AndNode(checks, c.Pos) : new OrNode(checks, c.Pos));
        }

        if (c.Left is FieldOperand { Name: "evt.type", Arg: null } && c.Op is "=" or "==" or "!=" or "in" && c.Right is LiteralOperand or ListOperand)
        {
            return CompileEvtType(c);
        }

        var left = BuildValue(c.Left);
        if (c.Op == "exists" && left.Type == FieldType.HostName)
        {
            return left.Missing ? Built.False : Call(nameof(Ops.HostKnown), left.Expr, Expression.Constant(_dns));
        }

        if (c.Op == "exists")
        {
            return left.Missing ? Built.False : Call(left.Type switch
            {
                FieldType.String => nameof(Ops.StrExists),
                FieldType.Number => nameof(Ops.NumExists),
                FieldType.Bool => nameof(Ops.BoolExists),
                FieldType.StringList => nameof(Ops.ListExists),
                _ => nameof(Ops.IpExists),
            }, left.Expr);
        }

        var right = c.Right!;
        Built result;
        if (right is TransformerOperand)
        {
            var rv = BuildValue(right);
            result = CompileDynamic(c, left, rv);
        }
        else
        {
            result = left.Type switch
            {
                FieldType.String => CompileString(c, left.Expr, right),
                FieldType.Number => CompileNumber(c, left.Expr, right),
                FieldType.Bool => CompileBool(c, left.Expr, right),
                FieldType.Ip or FieldType.Net => CompileIp(c, left, right),
                FieldType.HostName => CompileHost(c, left, right),
                _ => CompileList(c, left.Expr, right, left.IsSet),
            };
        }

        return left.Missing ? Built.False : result;
    }

    /// <summary><c>x op anyof (a, b)</c> = <c>x op a or x op b</c>; <c>allof</c> = and; <c>oneof</c> = exactly one.</summary>
    private Built CompileModifier(CheckNode c, string modifier)
    {
        if (c.Right is not ListOperand list || list.Items.Count == 0)
        {
            throw new ConditionError(DiagnosticCodes.InvalidOperand, $"'{modifier}' needs a list of values", c.Pos);
        }

        var parts = list.Items.Select(i => (Node)new CheckNode(c.Left, c.Op, i, c.Pos)).ToList();
        switch (modifier)
        {
            case "anyof":
                return Compile(new OrNode(parts, c.Pos));
            case "allof":
                return Compile(new AndNode(parts, c.Pos));
            default:
                var built = parts.Select(Compile).ToList();
                int constTrue = built.Count(b => b.Const == true);
                var dynamic = built.Where(b => b.Const is null).Select(b => b.Expr!).ToList();
                if (constTrue > 1 || (constTrue + dynamic.Count) == 0)
                {
                    return Built.False;
                }

                if (dynamic.Count == 0)
                {
                    return new Built(null, constTrue == 1);
                }

                Expression sum = Expression.Constant(constTrue);
                foreach (var d in dynamic)
                {
                    sum = Expression.Add(sum, Expression.Condition(d, Expression.Constant(1), Expression.Constant(0)));
                }

                return new Built(Expression.Equal(sum, Expression.Constant(1)), null);
        }
    }

    private Built CompileEvtType(CheckNode c)
    {
        var names = c.Right is ListOperand l ? l.Items.Select(i => i.Value) : new[] { ((LiteralOperand)c.Right!).Value };
        var mask = new bool[512];
        bool any = false;
        foreach (var name in names)
        {
            if (EventTypes.TryParse(name, out var t) && (_class is null || EventTypes.ClassOf(t) == _class))
            {
                mask[(int)t] = true;
                any = true;
            }
        }

        bool negate = c.Op == "!=";
        if (!any)
        {
            return negate ? Built.True : Built.False;
        }

        var type = Expression.Convert(Expression.Property(_e, nameof(HarrierEvent.Type)), typeof(int));
        Expression test = Expression.ArrayIndex(Expression.Constant(mask), type);
        return new Built(negate ? Expression.Not(test) : test, null);
    }

    private Value BuildValue(Operand o)
    {
        switch (o)
        {
            case FieldOperand f:
            {
                var info = Lookup(f, out var arg);
                bool missing = _class is { } cls && !info.Classes.Contains(cls);
                if (info.Address is { } address)
                {
                    // fd.*ip.name: checks compare the address against the addresses of the names
                    Expression ip = missing
                        ? Expression.Constant(null, typeof(IpValue?))
                        : Expression.Call(address.Target is null ? null : Expression.Constant(address.Target), address.Method, _e, Expression.Constant(null, typeof(string)));
                    return new Value(ip, info.Type, missing);
                }

                var valueType = info.ValueType;
                Expression expr = missing
                    ? Expression.Constant(null, valueType)
                    : Expression.Call(info.Getter.Target is null ? null : Expression.Constant(info.Getter.Target), info.Method, _e, Expression.Constant(arg, typeof(string)));
                return new Value(expr, info.Type, missing);
            }

            case TransformerOperand t:
                return BuildTransformer(t);
            case LiteralOperand lit:
                return new Value(Expression.Constant(lit.Value, typeof(string)), FieldType.String, false);
            default:
                throw new ConditionError(DiagnosticCodes.InvalidOperand, "a list cannot be used here", o.Pos);
        }
    }

    private Value BuildTransformer(TransformerOperand t)
    {
        Value One(FieldType want)
        {
            if (t.Args.Count != 1)
            {
                throw new ConditionError(DiagnosticCodes.InvalidOperand, $"transformer '{t.Name}' takes exactly one argument", t.Pos);
            }

            var v = BuildValue(t.Args[0]);
            if (v.Type != want && !(t.Name == "len" && v.Type == FieldType.StringList) && t.Name != "val")
            {
                throw new ConditionError(DiagnosticCodes.InvalidOperand, $"transformer '{t.Name}' needs a string argument, not a {v.Type.ToString().ToLowerInvariant()}", t.Pos);
            }

            return v;
        }

        switch (t.Name)
        {
            case "val":
                return One(FieldType.String);
            case "tolower":
            case "toupper":
            case "basename":
            case "b64":
            {
                var v = One(FieldType.String);
                var m = t.Name switch { "tolower" => nameof(Ops.ToLower), "toupper" => nameof(Ops.ToUpper), "basename" => nameof(Ops.Basename), _ => nameof(Ops.B64) };
                return new Value(Expression.Call(Method(m), v.Expr), FieldType.String, v.Missing);
            }

            case "len":
            {
                var v = One(FieldType.String);
                return new Value(Expression.Call(Method(v.Type == FieldType.StringList ? nameof(Ops.LenList) : nameof(Ops.Len)), v.Expr), FieldType.Number, v.Missing);
            }

            case "join":
            {
                if (t.Args.Count != 2 || t.Args[0] is not LiteralOperand { Quoted: true } sep)
                {
                    throw new ConditionError(DiagnosticCodes.InvalidOperand, "transformer 'join' takes a quoted separator and a list field: join(\",\", proc.aname)", t.Pos);
                }

                var v = BuildValue(t.Args[1]);
                if (v.Type != FieldType.StringList)
                {
                    throw new ConditionError(DiagnosticCodes.InvalidOperand, "the second argument of 'join' must be a list field (e.g. proc.aname)", t.Pos);
                }

                return new Value(Expression.Call(Method(nameof(Ops.Join)), Expression.Constant(sep.Value), v.Expr), FieldType.String, v.Missing);
            }

            case "concat":
            {
                if (t.Args.Count < 2)
                {
                    throw new ConditionError(DiagnosticCodes.InvalidOperand, "transformer 'concat' takes two or more arguments", t.Pos);
                }

                var vals = t.Args.Select(BuildValue).ToList();
                if (vals.Any(v => v.Type != FieldType.String))
                {
                    throw new ConditionError(DiagnosticCodes.InvalidOperand, "every argument of 'concat' must be a string field or a quoted string", t.Pos);
                }

                var arr = Expression.NewArrayInit(typeof(string), vals.Select(v => v.Expr));
                return new Value(Expression.Call(Method(nameof(Ops.Concat)), arr), FieldType.String, vals.Any(v => v.Missing));
            }

            case "getopt":
            {
                if (t.Args.Count != 2 || t.Args[1] is not LiteralOperand { Quoted: true } optstring)
                {
                    throw new ConditionError(DiagnosticCodes.InvalidOperand, "transformer 'getopt' takes a string field and a quoted optstring: getopt(proc.args, \"e:c\")", t.Pos);
                }

                var v = BuildValue(t.Args[0]);
                if (v.Type != FieldType.String)
                {
                    throw new ConditionError(DiagnosticCodes.InvalidOperand, "the first argument of 'getopt' must be a string field such as proc.args", t.Pos);
                }

                return new Value(Expression.Call(Method(nameof(Ops.GetOpt)), v.Expr, Expression.Constant(optstring.Value)), FieldType.StringList, v.Missing) { IsSet = true };
            }

            default:
                throw new ConditionError(DiagnosticCodes.InvalidOperand, $"transformer '{t.Name}' is not supported by Harrier", t.Pos);
        }
    }

    private static MethodInfo Method(string name) => typeof(Ops).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;

    private static Built Call(string name, params Expression[] args) => new(Expression.Call(Method(name), args), null);

    private static int DynOp(string op, int pos) => op switch
    {
        "=" or "==" => 0,
        "!=" => 1,
        "contains" => 2,
        "icontains" => 3,
        "startswith" => 4,
        "endswith" => 5,
        "<" => 6,
        "<=" => 7,
        ">" => 8,
        ">=" => 9,
        _ => throw new ConditionError(DiagnosticCodes.InvalidOperand, $"operator '{op}' cannot compare against a field or transformer", pos),
    };

    private static Built CompileDynamic(CheckNode c, Value left, Value right)
    {
        int op = DynOp(c.Op, c.Pos);
        if (left.Type == FieldType.Number && right.Type == FieldType.Number && op is 0 or 1 or >= 6)
        {
            return Call(nameof(Ops.NumCmp), left.Expr, right.Expr, Expression.Constant(op));
        }

        if (left.Type == FieldType.String && right.Type == FieldType.String)
        {
            return right.Missing ? Built.False : Call(nameof(Ops.StrCmp), left.Expr, right.Expr, Expression.Constant(op));
        }

        throw new ConditionError(DiagnosticCodes.InvalidOperand, $"cannot compare a {left.Type.ToString().ToLowerInvariant()} with a {right.Type.ToString().ToLowerInvariant()} using '{c.Op}'", c.Pos);
    }

    private static IReadOnlyList<string> ListValues(Operand right, string op, int pos) => right switch
    {
        ListOperand l => l.Items.Select(i => i.Value).ToList(),
        LiteralOperand lit => new[] { lit.Value },
        _ => throw new ConditionError(DiagnosticCodes.InvalidOperand, $"'{op}' needs a list of values", pos),
    };

    private static string Scalar(Operand right, string op, int pos) => right switch
    {
        LiteralOperand lit => lit.Value,
        _ => throw new ConditionError(DiagnosticCodes.InvalidOperand, $"'{op}' needs a single value, not a list", pos),
    };

    private Built CompileString(CheckNode c, Expression v, Operand right)
    {
        switch (c.Op)
        {
            case "=" or "==": return Call(nameof(Ops.StrEq), v, Expression.Constant(Scalar(right, c.Op, c.Pos)));
            case "!=": return Call(nameof(Ops.StrNe), v, Expression.Constant(Scalar(right, c.Op, c.Pos)));
            case "contains": return Call(nameof(Ops.Contains), v, Expression.Constant(Scalar(right, c.Op, c.Pos)));
            case "icontains": return Call(nameof(Ops.IContains), v, Expression.Constant(Scalar(right, c.Op, c.Pos)));
            case "startswith": return Call(nameof(Ops.StartsWith), v, Expression.Constant(Scalar(right, c.Op, c.Pos)));
            case "endswith": return Call(nameof(Ops.EndsWith), v, Expression.Constant(Scalar(right, c.Op, c.Pos)));
            case "bcontains": return Call(nameof(Ops.Contains), v, Expression.Constant(HexBytes(Scalar(right, c.Op, c.Pos), c.Pos)));
            case "bstartswith": return Call(nameof(Ops.StartsWith), v, Expression.Constant(HexBytes(Scalar(right, c.Op, c.Pos), c.Pos)));
            case "glob": return Call(nameof(Ops.Glob), v, Expression.Constant(new GlobMatcher(Scalar(right, c.Op, c.Pos), false)));
            case "iglob": return Call(nameof(Ops.Glob), v, Expression.Constant(new GlobMatcher(Scalar(right, c.Op, c.Pos), true)));
            case "regex": return Call(nameof(Ops.Regex), v, Expression.Constant(GetRegex(Scalar(right, c.Op, c.Pos), c.Pos)));
            case "in" or "intersects": return Call(nameof(Ops.In), v, Expression.Constant(new HashSet<string>(ListValues(right, c.Op, c.Pos), StringComparer.Ordinal)));
            case "pmatch": return Call(nameof(Ops.PMatch), v, Expression.Constant(new PathMatcher(ListValues(right, c.Op, c.Pos))));
            default: throw new ConditionError(DiagnosticCodes.InvalidOperand, $"operator '{c.Op}' is not supported for string fields", c.Pos);
        }
    }

    private Regex GetRegex(string pattern, int pos)
    {
        if (_regexes.TryGetValue(pattern, out var r))
        {
            return r;
        }

        if (pattern.Length > 4096)
        {
            throw new ConditionError(DiagnosticCodes.InvalidRegex, $"regular expression is {pattern.Length} characters long; the limit is 4096", pos);
        }

        try
        {
            // Falco matches the whole string (RE2 full match).
            r = new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw new ConditionError(DiagnosticCodes.InvalidRegex, $"invalid regular expression '{pattern}': {ex.Message}", pos);
        }

        _regexes[pattern] = r;
        return r;
    }

    private static string HexBytes(string hex, int pos)
    {
        if (hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new ConditionError(DiagnosticCodes.InvalidOperand, $"'{hex}' is not an even-length hex string (bcontains/bstartswith compare bytes)", pos);
        }

        var bytes = Convert.FromHexString(hex);
        return Encoding.Latin1.GetString(bytes) is var latin && bytes.All(b => b < 0x80) ? latin : Encoding.UTF8.GetString(bytes);
    }

    private static long ParseNumber(string text, int pos)
    {
        var t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long h))
        {
            return h;
        }

        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long d))
        {
            return d;
        }

        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f >= long.MinValue && f <= long.MaxValue)
        {
            return (long)f;
        }

        throw new ConditionError(DiagnosticCodes.InvalidOperand, $"'{text}' is not a number", pos);
    }

    private static Built CompileNumber(CheckNode c, Expression v, Operand right)
    {
        switch (c.Op)
        {
            case "=" or "==": return Call(nameof(Ops.NumEq), v, Expression.Constant(ParseNumber(Scalar(right, c.Op, c.Pos), c.Pos)));
            case "!=": return Call(nameof(Ops.NumNe), v, Expression.Constant(ParseNumber(Scalar(right, c.Op, c.Pos), c.Pos)));
            case "<": return Call(nameof(Ops.NumLt), v, Expression.Constant(ParseNumber(Scalar(right, c.Op, c.Pos), c.Pos)));
            case "<=": return Call(nameof(Ops.NumLe), v, Expression.Constant(ParseNumber(Scalar(right, c.Op, c.Pos), c.Pos)));
            case ">": return Call(nameof(Ops.NumGt), v, Expression.Constant(ParseNumber(Scalar(right, c.Op, c.Pos), c.Pos)));
            case ">=": return Call(nameof(Ops.NumGe), v, Expression.Constant(ParseNumber(Scalar(right, c.Op, c.Pos), c.Pos)));
            case "in" or "intersects":
                return Call(nameof(Ops.NumIn), v, Expression.Constant(ListValues(right, c.Op, c.Pos).Select(s => ParseNumber(s, c.Pos)).ToHashSet()));
            default: throw new ConditionError(DiagnosticCodes.InvalidOperand, $"operator '{c.Op}' is not supported for numeric fields", c.Pos);
        }
    }

    private static bool ParseBool(string text, int pos) => text.Trim().ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw new ConditionError(DiagnosticCodes.InvalidOperand, $"'{text}' is not a boolean (true or false)", pos),
    };

    private static Built CompileBool(CheckNode c, Expression v, Operand right)
    {
        switch (c.Op)
        {
            case "=" or "==": return Call(nameof(Ops.BoolEq), v, Expression.Constant(ParseBool(Scalar(right, c.Op, c.Pos), c.Pos)));
            case "!=": return Call(nameof(Ops.BoolNe), v, Expression.Constant(ParseBool(Scalar(right, c.Op, c.Pos), c.Pos)));
            case "in":
                var set = ListValues(right, c.Op, c.Pos).Select(s => ParseBool(s, c.Pos)).Distinct().ToList();
                if (set.Count == 2) return Call(nameof(Ops.BoolExists), v);
                return Call(nameof(Ops.BoolEq), v, Expression.Constant(set.Count == 1 && set[0]));
            default: throw new ConditionError(DiagnosticCodes.InvalidOperand, $"operator '{c.Op}' is not supported for boolean fields", c.Pos);
        }
    }

    private static IpNet ParseNet(string text, bool cidrAllowed, int pos)
    {
        if (!IpNet.TryParse(text.Trim(), out var net) || (!cidrAllowed && text.Contains('/', StringComparison.Ordinal)))
        {
            throw new ConditionError(DiagnosticCodes.InvalidOperand, $"'{text}' is not an IP address{(cidrAllowed ? " or network (CIDR)" : string.Empty)}", pos);
        }

        return net;
    }

    private static Built CompileIp(CheckNode c, Value left, Operand right)
    {
        switch (c.Op)
        {
            case "=" or "==":
                return Call(nameof(Ops.IpInNets), left.Expr, Expression.Constant(new[] { ParseNet(Scalar(right, c.Op, c.Pos), true, c.Pos) }));
            case "!=":
                return Call(nameof(Ops.IpNotInNets), left.Expr, Expression.Constant(new[] { ParseNet(Scalar(right, c.Op, c.Pos), true, c.Pos) }));
            case "in" or "intersects":
                return Call(nameof(Ops.IpInNets), left.Expr, Expression.Constant(ListValues(right, c.Op, c.Pos).Select(s => ParseNet(s, true, c.Pos)).ToArray()));
            default:
                throw new ConditionError(DiagnosticCodes.InvalidOperand, $"operator '{c.Op}' is not supported for address fields", c.Pos);
        }
    }

    /// <summary>
    /// <c>fd.*ip.name</c>, as Falco: true when the address is one of those a named host resolves to (looked up forward,
    /// in the background; see <see cref="DnsNameCache"/>). Only equality and set membership make sense for that.
    /// </summary>
    private Built CompileHost(CheckNode c, Value left, Operand right)
    {
        var field = c.Left is FieldOperand f ? f.Display : "this field";
        switch (c.Op)
        {
            case "=" or "==":
                return Call(nameof(Ops.HostIn), left.Expr, Expression.Constant(_dns), Expression.Constant(new[] { HostName(Scalar(right, c.Op, c.Pos), c.Pos) }));
            case "!=":
                return Call(nameof(Ops.HostNotIn), left.Expr, Expression.Constant(_dns), Expression.Constant(new[] { HostName(Scalar(right, c.Op, c.Pos), c.Pos) }));
            case "in":
                return Call(nameof(Ops.HostIn), left.Expr, Expression.Constant(_dns), Expression.Constant(ListValues(right, c.Op, c.Pos).Select(v => HostName(v, c.Pos)).ToArray()));
            default:
                throw new ConditionError(DiagnosticCodes.InvalidOperand, $"operator '{c.Op}' is not supported for {field}: it compares the address with the addresses of the names given, so only =, !=, in and exists apply", c.Pos);
        }
    }

    private DnsName HostName(string text, int pos)
    {
        var name = text.Trim().TrimEnd('.');
        if (name.Length is 0 or > 253 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' or '_' or ':'))
        {
            throw new ConditionError(DiagnosticCodes.InvalidOperand, $"'{text}' is not a host name or address", pos);
        }

        var n = _dns.Register(name);
        _names.Add(n);
        return n;
    }

    /// <summary>
    /// Ancestor-list fields (<c>proc.aname</c> without an index) follow Falco: the check is made against each ancestor
    /// and is true when it holds for any of them, whatever the operator (<c>!=</c> and <c>in</c> included).
    /// </summary>
    private Built CompileList(CheckNode c, Expression v, Operand right, bool isSet)
    {
        if (isSet && c.Op == "in")
        {
            return Call(nameof(Ops.ListAllIn), v, Expression.Constant(new HashSet<string>(ListValues(right, c.Op, c.Pos), StringComparer.Ordinal)));
        }

        var p = Expression.Parameter(typeof(string), "x");
        var elem = CompileString(c, p, right);
        var pred = Expression.Lambda<Func<string?, bool>>(elem.Expr!, p).Compile();
        return Call(nameof(Ops.ListAny), v, Expression.Constant(pred));
    }
}
