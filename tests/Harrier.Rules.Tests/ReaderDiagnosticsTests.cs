using Harrier.Rules.Diagnostics;

namespace Harrier.Rules.Tests;

/// <summary>Every reader and collector error: code, message and file:line:col.</summary>
public class ReaderDiagnosticsTests
{
    private static RuleLoadResult Load(string yaml) => RuleLoader.LoadText(yaml, "t.yaml", new RuleLoadOptions { WarnUnused = false });

    [Theory]
    [InlineData("- rule: [unclosed\n", DiagnosticCodes.YamlSyntax, 2)]
    [InlineData("- rule: a\n  desc: \"x\n- rule: b\n", DiagnosticCodes.YamlSyntax, 2)]
    [InlineData("rule: x\n", DiagnosticCodes.NotASequence, 1)]
    [InlineData("- just a string\n", DiagnosticCodes.ItemNotAMapping, 1)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n", DiagnosticCodes.MissingKey, 1)]
    [InlineData("- macro: m\n", DiagnosticCodes.MissingKey, 1)]
    [InlineData("- list: l\n", DiagnosticCodes.MissingKey, 1)]
    [InlineData("- rule: ''\n", DiagnosticCodes.WrongType, 1)]
    [InlineData("- list: l\n  items: abc\n", DiagnosticCodes.WrongType, 2)]
    [InlineData("- list: l\n  items: [[a]]\n", DiagnosticCodes.WrongType, 2)]
    [InlineData("- rule: r\n  desc: d\n  condition: [a]\n  output: o\n  priority: INFO\n", DiagnosticCodes.WrongType, 3)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: urgent\n", DiagnosticCodes.InvalidPriority, 5)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n  action: explode\n", DiagnosticCodes.InvalidAction, 6)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n  enabled: maybe\n", DiagnosticCodes.WrongType, 6)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n  tags: x\n", DiagnosticCodes.WrongType, 6)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n  exceptions: x\n", DiagnosticCodes.WrongType, 6)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve and (\n  output: o\n  priority: INFO\n", DiagnosticCodes.ConditionSyntax, 3)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o %proc.nope\n  priority: INFO\n", DiagnosticCodes.OutputField, 4)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name regex '['\n  output: o\n  priority: INFO\n", DiagnosticCodes.InvalidRegex, 3)]
    [InlineData("- rule: r\n  desc: d\n  condition: evt.type = execve and proc.pid = x\n  output: o\n  priority: INFO\n", DiagnosticCodes.InvalidOperand, 3)]
    [InlineData("- required_plugin_versions:\n  - name: x\n", DiagnosticCodes.MissingKey, 2)]
    [InlineData("- required_engine_version: [1]\n", DiagnosticCodes.WrongType, 1)]
    public void Load_BadInput_ReportsCodeAndLine(string yaml, string code, int line)
    {
        var r = Load(yaml);
        Assert.False(r.Success);
        var e = Assert.Single(r.Errors, d => d.Code == code);
        Assert.Equal("t.yaml", e.Location.File);
        Assert.Equal(line, e.Location.Line);
        Assert.True(e.Location.Column >= 1);
        if (code != DiagnosticCodes.YamlSyntax)
        {
            Assert.False(string.IsNullOrEmpty(e.Snippet));
        }

        Assert.Contains($"t.yaml:{line}:", e.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  condition: evt.type = execve and proc.nme = x\n", 3, 36)]
    [InlineData("  condition: >\n    evt.type = execve\n    and proc.nme = x\n", 5, 9)]
    [InlineData("  condition: |\n    evt.type = execve and\n      (proc.name = a or\n       proc.nme = x)\n", 6, 8)]
    [InlineData("  condition: \"evt.type = execve and\n    proc.nme = x\"\n", 4, 5)]
    [InlineData("  condition: evt.type = execve and proc.name = proc.nme and proc.nme = x\n", 3, 61)]
    public void Load_ConditionError_PointsAtLineAndColumnOfToken(string condition, int line, int column)
    {
        var r = Load("- rule: r\n  desc: d\n" + condition + "  output: o\n  priority: INFO\n");
        var e = Assert.Single(r.Errors);
        Assert.Equal(DiagnosticCodes.UnknownField, e.Code);
        Assert.Equal((line, column), (e.Location.Line, e.Location.Column));
    }

    [Fact]
    public void Load_UnknownKeysAndItems_AreWarnings()
    {
        var r = Load("- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n  colour: [a]\n- frobnicate: x\n");
        Assert.True(r.Success, r.Format());
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.UnknownKey && w.Message.Contains("'colour'", StringComparison.Ordinal) && w.Location.Line == 6);
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.UnknownItem && w.Location.Line == 7);
    }

    [Fact]
    public void Load_AllErrorsReportedAtOnce()
    {
        var r = Load(
            "- rule: a\n  desc: d\n  condition: nope1\n  output: o\n  priority: INFO\n" +
            "- rule: b\n  desc: d\n  condition: proc.x = 1\n  output: o\n  priority: INFO\n" +
            "- rule: c\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: bad\n");
        Assert.Equal(3, r.Errors.Count);
        Assert.Equal(new[] { 3, 8, 15 }, r.Errors.Select(e => e.Location.Line).Order());
        Assert.Null(r.RuleSet);
        var json = r.ToJson();
        Assert.Contains("\"code\": \"HR3004\"", json, StringComparison.Ordinal);
        Assert.Contains("\"line\": 15", json, StringComparison.Ordinal);
        Assert.Contains("3 error(s)", r.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingPath_ReportsError()
    {
        var r = RuleLoader.Load(new[] { "/nonexistent/harrier/rules.yaml" });
        Assert.Equal(DiagnosticCodes.FileNotFound, Assert.Single(r.Errors).Code);
    }

    [Fact]
    public void Load_HugeFile_RefusedBeforeReading()
    {
        var f = Path.GetTempFileName();
        try
        {
            using (var fs = File.OpenWrite(f))
            {
                fs.SetLength(33L * 1024 * 1024); // sparse
            }

            var r = RuleLoader.Load(new[] { f });
            Assert.Equal(DiagnosticCodes.FileTooLarge, Assert.Single(r.Errors).Code);
        }
        finally
        {
            File.Delete(f);
        }
    }

    [Fact]
    public void Load_OtherSource_RuleSkippedWithWarning()
    {
        var r = Load("- rule: r\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: INFO\n  source: k8s_audit\n");
        Assert.True(r.Success, r.Format());
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.UnknownSource);
        Assert.Contains("k8s_audit", Assert.Single(r.Skipped).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyFile_WarnsAndSucceeds()
    {
        var r = Load(string.Empty);
        Assert.True(r.Success);
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.EmptyFile);
    }

    [Fact]
    public void Load_Directory_ReadsYamlFilesInNameOrder()
    {
        var dir = Directory.CreateTempSubdirectory("harrier-rules-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "b.yaml"), "- list: l\n  items: [zsh]\n  append: true\n");
            File.WriteAllText(Path.Combine(dir.FullName, "a.yaml"), "- list: l\n  items: [bash]\n- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name in (l)\n  output: o\n  priority: INFO\n");
            File.WriteAllText(Path.Combine(dir.FullName, "ignored.txt"), "not yaml");
            var r = RuleLoader.Load(new[] { dir.FullName });
            Assert.True(r.Success, r.Format());
            Assert.Equal(2, r.Files.Count);
            Assert.True(r.RuleSet!.Rules[0].Predicate(Ev.Exec(Ev.Proc("zsh"))));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Load_AliasBomb_BoundedAndReported()
    {
        var sb = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++)
        {
            sb.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        var r = Load(sb.ToString());
        Assert.False(r.Success);
        Assert.Contains(r.Errors, e => e.Message.Contains("nodes", StringComparison.Ordinal) || e.Message.Contains("nesting", StringComparison.Ordinal));
    }
}
