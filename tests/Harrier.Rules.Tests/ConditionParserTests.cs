using Harrier.Rules.Conditions;

namespace Harrier.Rules.Tests;

public class ConditionParserTests
{
    private static string Show(Node n) => n switch
    {
        AndNode a => "(" + string.Join(" & ", a.Children.Select(Show)) + ")",
        OrNode o => "(" + string.Join(" | ", o.Children.Select(Show)) + ")",
        NotNode x => "!" + Show(x.Child),
        IdentNode i => i.Name,
        CheckNode c => $"{Op(c.Left)} {c.Op}{(c.Right is null ? string.Empty : " " + Op(c.Right))}",
        _ => "?",
    };

    private static string Op(Operand o) => o switch
    {
        FieldOperand f => f.Display,
        LiteralOperand l => "'" + l.Value + "'",
        ListOperand l => "[" + string.Join(",", l.Items.Select(i => i.Value)) + "]",
        TransformerOperand t => t.Name + "(" + string.Join(",", t.Args.Select(Op)) + ")",
        _ => "?",
    };

    [Theory]
    [InlineData("a or b and c", "(a | (b & c))")]
    [InlineData("a and b or c", "((a & b) | c)")]
    [InlineData("not a and b", "(!a & b)")]
    [InlineData("not a or not b and c", "(!a | (!b & c))")]
    [InlineData("not (a or b) and c", "(!(a | b) & c)")]
    [InlineData("not not a", "a")]
    [InlineData("not(a)", "!a")]
    [InlineData("a and(b or c)", "(a & (b | c))")]
    [InlineData("(a)", "a")]
    [InlineData("  a  \n and\tb ", "(a & b)")]
    public void Parse_Precedence_GroupsAsFalco(string text, string expected)
        => Assert.Equal(expected, Show(ConditionParser.Parse(text)));

    [Theory]
    [InlineData("proc.name=bash", "proc.name = 'bash'")]
    [InlineData("proc.name == bash", "proc.name == 'bash'")]
    [InlineData("proc.name != \"a b\"", "proc.name != 'a b'")]
    [InlineData("fd.name startswith /etc/", "fd.name startswith '/etc/'")]
    [InlineData("fd.name bstartswith 2f65", "fd.name bstartswith '2f65'")]
    [InlineData("proc.aname[2] in (a, 'b c', \"d\")", "proc.aname[2] in [a,b c,d]")]
    [InlineData("proc.name in shell_binaries", "proc.name in [shell_binaries]")]
    [InlineData("proc.name in ()", "proc.name in []")]
    [InlineData("fd.num>=0", "fd.num >= '0'")]
    [InlineData("fd.num < -1", "fd.num < '-1'")]
    [InlineData("evt.arg.flags contains O_TRUNC", "evt.arg.flags contains 'O_TRUNC'")]
    [InlineData("evt.arg[0] = 3", "evt.arg[0] = '3'")]
    [InlineData("proc.env[HOME] = /root", "proc.env[HOME] = '/root'")]
    [InlineData("proc.env['MY VAR'] exists", "proc.env[MY VAR] exists")]
    [InlineData("evt.rawres = 0x10", "evt.rawres = '0x10'")]
    [InlineData("tolower(proc.name) = bash", "tolower(proc.name) = 'bash'")]
    [InlineData("len(basename(proc.exepath)) > 3", "len(basename(proc.exepath)) > '3'")]
    [InlineData("proc.name = val(proc.pname)", "proc.name = val(proc.pname)")]
    [InlineData("join(\",\", proc.aname) contains bash", "join(',',proc.aname) contains 'bash'")]
    [InlineData("concat(proc.name, \"-x\") = bash-x", "concat(proc.name,'-x') = 'bash-x'")]
    [InlineData("fd.name pmatch (/etc, /usr)", "fd.name pmatch [/etc,/usr]")]
    [InlineData("fd.name regex '.*\\.so'", "fd.name regex '.*\\.so'")]
    [InlineData("fd.snet = 10.0.0.0/8", "fd.snet = '10.0.0.0/8'")]
    [InlineData("proc.name glob 'ba*'", "proc.name glob 'ba*'")]
    public void Parse_Checks_ProduceExpectedOperands(string text, string expected)
        => Assert.Equal(expected, Show(ConditionParser.Parse(text)));

    [Theory]
    [InlineData("proc.name = \"a\\\"b\"", "a\"b")]
    [InlineData("proc.name = 'it\\'s'", "it's")]
    [InlineData("proc.name = \"tab\\there\"", "tab\there")]
    [InlineData("proc.name = \"back\\\\slash\"", "back\\slash")]
    [InlineData("proc.name = \"new\\nline\"", "new\nline")]
    [InlineData("proc.name = 'say \"hi\"'", "say \"hi\"")]
    [InlineData("proc.name = \"a\\qb\"", "a\\qb")]
    public void Parse_QuotedStrings_UnescapeLikeFalco(string text, string expected)
    {
        var c = Assert.IsType<CheckNode>(ConditionParser.Parse(text));
        Assert.Equal(expected, Assert.IsType<LiteralOperand>(c.Right).Value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("proc.name", "comparison operator")]
    [InlineData("proc.name = ", "expected a value")]
    [InlineData("(proc.name = a", "expected ')'")]
    [InlineData("proc.name = a)", "unexpected ')'")]
    [InlineData("proc.name = \"abc", "unterminated")]
    [InlineData("proc.name in (a, b", "closing the list")]
    [InlineData("a and", "after 'and'")]
    [InlineData("a and ", "unexpected end")]
    [InlineData("a andb", "unexpected")]
    [InlineData("proc.name < abc", "expected a number")]
    [InlineData("proc.aname[2 = a", "expected ']'")]
    [InlineData("tolower(proc.name = a", "closing the 'tolower'")]
    [InlineData("= a", "expected '('")]
    public void Parse_Invalid_ThrowsWithMessage(string text, string fragment)
    {
        var ex = Assert.Throws<ConditionSyntaxException>(() => ConditionParser.Parse(text));
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        Assert.InRange(ex.Position, 0, text.Length);
    }

    [Fact]
    public void Parse_DeepNesting_ReportsDepthInsteadOfOverflow()
    {
        var text = new string('(', 5000) + "a" + new string(')', 5000);
        var ex = Assert.Throws<ConditionSyntaxException>(() => ConditionParser.Parse(text));
        Assert.Contains("deeper than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ErrorPosition_PointsAtProblem()
    {
        var ex = Assert.Throws<ConditionSyntaxException>(() => ConditionParser.Parse("proc.name = a and fd.name ?? b"));
        Assert.Equal(26, ex.Position);
    }
}
