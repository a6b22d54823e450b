using System.Text;
using Harrier.Events;

namespace Harrier.Rules.Tests;

/// <summary>
/// Property tests: random conditions and random YAML never crash the compiler or the loader, and never hang
/// (bounded by iteration counts; every case must finish, there is no wall-clock assertion).
/// </summary>
public class FuzzTests
{
    private static readonly string[] Fields =
    {
        "proc.name", "proc.pid", "fd.name", "fd.sip", "fd.snet", "proc.aname", "proc.aname[2]", "evt.type", "evt.arg.flags",
        "user.uid", "evt.is_open_read", "proc.env[HOME]", "proc.cmdline", "container.image.repository", "k8s.pod.name", "foo.bar",
    };

    private static readonly string[] Ops =
    {
        "=", "==", "!=", "<", "<=", ">", ">=", "contains", "icontains", "bcontains", "startswith", "bstartswith", "endswith",
        "glob", "iglob", "regex", "in", "intersects", "pmatch", "exists",
    };

    private static readonly string[] Values =
    {
        "bash", "0", "-1", "0x1f", "/etc/", "'a b'", "\"q\\\"x\"", "10.0.0.0/8", "1.2.3.4", "(a, b)", "(1, 2)", "()", "true",
        "2f62", "'.*'", "'['", "'*'", "val(proc.name)", "tolower(proc.name)", "execve", "(execve, openat)", "((",
    };

    private static string RandomCondition(Random r, int depth)
    {
        if (depth > 4 || r.Next(3) == 0)
        {
            var f = Fields[r.Next(Fields.Length)];
            var op = Ops[r.Next(Ops.Length)];
            return op == "exists" ? $"{f} exists" : $"{f} {op} {Values[r.Next(Values.Length)]}";
        }

        return r.Next(5) switch
        {
            0 => $"not {RandomCondition(r, depth + 1)}",
            1 => $"({RandomCondition(r, depth + 1)})",
            2 => $"{RandomCondition(r, depth + 1)} and {RandomCondition(r, depth + 1)}",
            3 => $"{RandomCondition(r, depth + 1)} or {RandomCondition(r, depth + 1)}",
            _ => $"tolower({Fields[r.Next(Fields.Length)]}) = x",
        };
    }

    private const string Specials = "()[]{}\"',:=!<>&*|-#\n \t\\%";

    private static string Mutate(Random r, string s)
    {
        var sb = new StringBuilder(s);
        int edits = r.Next(1, 6);
        for (int i = 0; i < edits && sb.Length > 0; i++)
        {
            int pos = r.Next(sb.Length);
            switch (r.Next(4))
            {
                case 0: sb.Remove(pos, 1); break;
                case 1: sb.Insert(pos, Specials[r.Next(Specials.Length)]); break;
                case 2: sb[pos] = (char)r.Next(32, 127); break;
                default:
                    int len = Math.Min(r.Next(1, 20), sb.Length - pos);
                    sb.Insert(r.Next(sb.Length), sb.ToString(pos, len));
                    break;
            }
        }

        return sb.ToString();
    }

    private static HarrierEvent[] Events()
    {
        var p = Ev.Proc("bash", args: new[] { "-c", "x" }, parent: Ev.Proc("sshd", pid: 3));
        return new HarrierEvent[]
        {
            Ev.Exec(p), Ev.Open(p, "/etc/shadow"), Ev.Connect(p, "10.1.1.1", 22), Ev.Dup2(p, 3, 0, true),
            new ProcessEvent { Type = EventType.Execve }, new DecisionEvent { Type = EventType.SeccompDecision },
        };
    }

    [Fact]
    public void RandomConditions_CompileOrFailCleanly_AndEvaluateWithoutThrowing()
    {
        var r = new Random(12345);
        var events = Events();
        int compiled = 0, rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            var cond = RandomCondition(r, 0);
            if (i % 3 == 0)
            {
                cond = Mutate(r, cond);
            }

            Func<HarrierEvent, bool> f;
            try
            {
                f = EventFilter.Compile(cond);
            }
            catch (ArgumentException)
            {
                rejected++;
                continue;
            }

            compiled++;
            foreach (var e in events)
            {
                _ = f(e);
            }
        }

        Assert.True(compiled > 300, $"only {compiled} compiled");
        Assert.True(rejected > 300, $"only {rejected} rejected");
    }

    [Fact]
    public void RandomBytes_AsCondition_NeverCrash()
    {
        var r = new Random(777);
        for (int i = 0; i < 3000; i++)
        {
            var chars = new char[r.Next(0, 80)];
            for (int j = 0; j < chars.Length; j++)
            {
                chars[j] = (char)r.Next(1, 128);
            }

            try
            {
                EventFilter.Compile(new string(chars))(Events()[0]);
            }
            catch (ArgumentException)
            {
                // expected for most inputs
            }
        }
    }

    [Fact]
    public void MutatedYaml_LoaderNeverThrows()
    {
        var seed = File.ReadAllText(Path.Combine(TestPaths.DefaultRules, "10-files.yaml"))
            + File.ReadAllText(Path.Combine(TestPaths.DefaultRules, "00-base.yaml"));
        var r = new Random(4242);
        int ok = 0, failed = 0;
        for (int i = 0; i < 300; i++)
        {
            var text = Mutate(r, seed);
            var result = RuleLoader.LoadText(text, "fuzz.yaml", new RuleLoadOptions { BuildEngine = i % 10 == 0 });
            Assert.NotNull(result);
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.Message)));
            Assert.DoesNotContain(result.Errors, e => e.Message.StartsWith("internal error", StringComparison.Ordinal));
            if (result.Success) ok++; else failed++;
        }

        Assert.True(ok > 0 && failed > 0, $"ok={ok} failed={failed}");
    }

    [Fact]
    public void RandomYamlStructures_LoaderNeverThrows()
    {
        var r = new Random(99);
        string[] keys = { "rule", "macro", "list", "desc", "condition", "output", "priority", "items", "append", "override", "exceptions", "enabled", "tags", "fields", "values", "comps", "name" };
        string[] scalars = { "x", "true", "INFO", "proc.name = a", "[a, b]", "{a: b}", "''", "append", "replace", "- a", "evt.type = execve" };
        for (int i = 0; i < 1000; i++)
        {
            var sb = new StringBuilder();
            int items = r.Next(0, 6);
            for (int k = 0; k < items; k++)
            {
                sb.Append("- ").Append(keys[r.Next(3)]).Append(": ").Append(scalars[r.Next(scalars.Length)]).Append('\n');
                int n = r.Next(0, 6);
                for (int j = 0; j < n; j++)
                {
                    sb.Append("  ").Append(keys[r.Next(keys.Length)]).Append(": ").Append(scalars[r.Next(scalars.Length)]).Append('\n');
                }
            }

            var result = RuleLoader.LoadText(sb.ToString(), "rand.yaml");
            Assert.DoesNotContain(result.Errors, e => e.Message.StartsWith("internal error", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void HostileNesting_ReportedNotCrashing()
    {
        var flow = RuleLoader.LoadText(new string('[', 100_000), "flow.yaml");
        Assert.Contains(flow.Errors, e => e.Message.Contains("nesting deeper", StringComparison.Ordinal));

        var sb = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            sb.Append(' ', i).Append("- \n");
        }

        var block = RuleLoader.LoadText(sb.ToString(), "block.yaml");
        Assert.Contains(block.Errors, e => e.Message.Contains("nesting deeper", StringComparison.Ordinal));

        sb.Clear().Append("- macro: m0\n  condition: proc.name = a\n");
        for (int i = 1; i < 3000; i++)
        {
            sb.Append($"- macro: m{i}\n  condition: (m{i - 1} and proc.pid = {i})\n");
        }

        sb.Append("- rule: r\n  desc: d\n  condition: evt.type = execve and m2999\n  output: o\n  priority: INFO\n");
        var macros = RuleLoader.LoadText(sb.ToString(), "macros.yaml");
        Assert.False(macros.Success);
        Assert.Contains(macros.Errors, e => e.Message.Contains("nests deeper than", StringComparison.Ordinal));

        var cond = RuleLoader.LoadText("- rule: r\n  desc: d\n  condition: " + new string('(', 5000) + "evt.type = execve" + new string(')', 5000) + "\n  output: o\n  priority: INFO\n");
        Assert.Contains(cond.Errors, e => e.Code == Diagnostics.DiagnosticCodes.ConditionSyntax);
    }
}
