using System.Text.Json;

namespace Harrier.Rules.Tests;

public class CommandsTests
{
    [Fact]
    public void Validate_DefaultRules_ExitsZero()
    {
        var o = new StringWriter();
        Assert.Equal(0, RulesCommands.Validate(new[] { TestPaths.DefaultRules }, o));
        Assert.Contains("18 rule(s) compiled", o.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadFile_ExitsOneWithLocationAndSnippet()
    {
        var f = Path.GetTempFileName() + ".yaml";
        File.WriteAllText(f, "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.nme = x\n  output: o\n  priority: INFO\n");
        try
        {
            var o = new StringWriter();
            Assert.Equal(1, RulesCommands.Validate(new[] { f }, o));
            var text = o.ToString();
            Assert.Contains($"{f}:3:36: error HR3002", text, StringComparison.Ordinal);
            Assert.Contains("unknown field 'proc.nme'", text, StringComparison.Ordinal);
            Assert.Contains("^", text, StringComparison.Ordinal);

            var j = new StringWriter();
            Assert.Equal(1, RulesCommands.Validate(new[] { f, "--json" }, j));
            using var doc = JsonDocument.Parse(j.ToString());
            var err = doc.RootElement.GetProperty("errors")[0];
            Assert.Equal("HR3002", err.GetProperty("code").GetString());
            Assert.Equal(3, err.GetProperty("line").GetInt32());
            Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
        }
        finally
        {
            File.Delete(f);
        }
    }

    [Fact]
    public void Validate_NoArgs_Usage()
        => Assert.Equal(2, RulesCommands.Validate(Array.Empty<string>(), new StringWriter()));

    [Fact]
    public void List_DefaultRules_PrintsEveryRule()
    {
        var o = new StringWriter();
        Assert.Equal(0, RulesCommands.List(new[] { "-r", TestPaths.DefaultRules }, o));
        Assert.Contains("Reverse shell", o.ToString(), StringComparison.Ordinal);
        Assert.Contains("18 enabled, 0 disabled, 0 skipped", o.ToString(), StringComparison.Ordinal);

        var j = new StringWriter();
        Assert.Equal(0, RulesCommands.List(new[] { "-r", TestPaths.DefaultRules, "--json" }, j));
        using var doc = JsonDocument.Parse(j.ToString());
        Assert.Equal(18, doc.RootElement.GetArrayLength());
    }

    [Fact]
    public void List_BadOption_Usage()
        => Assert.Equal(2, RulesCommands.List(new[] { "--bogus" }, new StringWriter()));

    [Fact]
    public void Fields_ListsEveryFieldWithTypeAndDescription()
    {
        var o = new StringWriter();
        Assert.Equal(0, RulesCommands.Fields(Array.Empty<string>(), o));
        Assert.Contains("proc.aname[...]", o.ToString(), StringComparison.Ordinal);

        var j = new StringWriter();
        Assert.Equal(0, RulesCommands.Fields(new[] { "--json" }, j));
        using var doc = JsonDocument.Parse(j.ToString());
        Assert.Equal(FieldRegistry.All.Count, doc.RootElement.GetArrayLength());
        foreach (var f in doc.RootElement.EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(f.GetProperty("description").GetString()));
            Assert.False(string.IsNullOrEmpty(f.GetProperty("type").GetString()));
        }
    }

    [Fact]
    public void FieldRegistry_HasEveryRequiredField()
    {
        string[] required =
        {
            "evt.type", "evt.res", "evt.rawres", "evt.time", "evt.dir", "evt.arg", "proc.pid", "proc.ppid", "proc.name", "proc.exe",
            "proc.exepath", "proc.cmdline", "proc.args", "proc.pname", "proc.pexe", "proc.pexepath", "proc.pcmdline", "proc.aname",
            "proc.apid", "proc.tty", "proc.sid", "proc.vpgid", "proc.cwd", "proc.env", "user.uid", "user.name", "user.loginuid",
            "user.loginname", "group.gid", "group.name", "fd.name", "fd.nameraw", "fd.directory", "fd.filename", "fd.typechar",
            "fd.type", "fd.num", "fd.sip", "fd.sport", "fd.cip", "fd.cport", "fd.rip", "fd.rport", "fd.lip", "fd.lport",
            "fd.l4proto", "fd.sockfamily", "fd.net", "fd.snet", "fd.cnet", "container.id", "container.name", "container.image.repository",
        };
        foreach (var name in required)
        {
            Assert.True(FieldRegistry.TryGet(name, out var f), name);
            Assert.False(string.IsNullOrEmpty(f.Description));
        }

        Assert.True(FieldRegistry.TryGet("evt.arg.flags", out var arg));
        Assert.Equal("evt.arg", arg.Name);
        Assert.NotNull(FieldRegistry.UnsupportedReason("k8s.pod.labels"));
        Assert.Null(FieldRegistry.UnsupportedReason("k8s.pod.name"));
        Assert.Null(FieldRegistry.UnsupportedReason("proc.name"));
    }

    [Fact]
    public void FieldInfo_Extract_ReturnsTypedValuesOrNull()
    {
        var p = Ev.Proc("bash", parent: Ev.Proc("sshd", pid: 9));
        var e = Ev.Connect(p, "192.0.2.1", 22);
        FieldRegistry.TryGet("proc.name", out var name);
        FieldRegistry.TryGet("fd.sport", out var sport);
        FieldRegistry.TryGet("fd.sip", out var sip);
        FieldRegistry.TryGet("fd.filename", out var fn);
        FieldRegistry.TryGet("proc.aname", out var aname);
        Assert.Equal("bash", name.Extract(e));
        Assert.Equal(22L, sport.Extract(e));
        Assert.Equal("192.0.2.1", sip.Extract(e));
        Assert.Null(fn.Extract(e));
        Assert.Equal("sshd", aname.Extract(e, "1"));
        Assert.Equal("sshd", aname.Extract(e));
    }
}
