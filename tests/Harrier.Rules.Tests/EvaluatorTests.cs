using Harrier.Events;

namespace Harrier.Rules.Tests;

/// <summary>The NRules evaluator: batching, ordering, rule_matching, outputs, detached events.</summary>
public class EvaluatorTests
{
    private const string Rules = """
        - rule: exec bash
          desc: d
          condition: evt.type = execve and proc.name = bash
          output: "bash ran %proc.cmdline by %user.name (%proc.aname[2]) fd=%fd.name pad=[%-6proc.name] [%6proc.name] 100%%"
          priority: WARNING
          tags: [a, b]
          action: kill
        - rule: exec any
          desc: d
          condition: evt.type in (execve, execveat)
          output: any %proc.name
          priority: INFO
        - rule: open etc
          desc: d
          condition: evt.type = openat and fd.name startswith /etc/
          output: open %fd.name
          priority: ERROR
        """;

    private static CompiledRuleSet Load(RuleMatchingMode mode = RuleMatchingMode.All)
    {
        var r = RuleLoader.LoadText(Rules, options: new RuleLoadOptions { RuleMatching = mode });
        Assert.True(r.Success, r.Format());
        return r.RuleSet!;
    }

    [Fact]
    public void Evaluate_Batch_ReturnsMatchesInEventTimeOrder()
    {
        var set = Load();
        var bash = Ev.Proc("bash");
        var batch = new HarrierEvent[]
        {
            Ev.Open(bash, "/etc/passwd", ts: 300),
            Ev.Exec(bash, ts: 100),
            Ev.Open(bash, "/home/x", ts: 50),
            Ev.Exec(Ev.Proc("ls"), ts: 200),
        };
        var matches = new List<RuleMatch>();
        set.CreateEvaluator().Evaluate(batch, matches);
        Assert.Equal(new[] { "exec bash@100", "exec any@100", "exec any@200", "open etc@300" }, matches.Select(m => $"{m.Rule.Name}@{m.Event.TimestampNs}"));
    }

    [Fact]
    public void Evaluate_CloseRule_LoadsWithoutWarningsAndMatchesOnTheClosedFdsName()
    {
        var r = RuleLoader.LoadText("""
            - rule: close below etc
              desc: d
              condition: evt.type = close and fd.name startswith /etc/ and fd.num >= 3
              output: closed %fd.name fd=%fd.num args=%evt.args
              priority: INFO
            """);
        Assert.True(r.Success, r.Format());
        Assert.Empty(r.Warnings);
        var bash = Ev.Proc("bash");
        var close = Ev.Open(bash, "/etc/passwd", type: EventType.Close, res: 0);
        close.Fd = 4;
        close.RawPath = null;
        var other = Ev.Open(bash, "/home/x", type: EventType.Close, res: 0);
        var matches = new List<RuleMatch>();
        r.RuleSet!.CreateEvaluator().Evaluate(new HarrierEvent[] { close, other }, matches);
        var m = Assert.Single(matches);
        Assert.Equal("closed /etc/passwd fd=4 args=res=0 fd=4", m.Output);
    }

    [Fact]
    public void Evaluate_RuleMatchingFirst_ReportsFirstRuleOnly()
    {
        var set = Load(RuleMatchingMode.First);
        var matches = new List<RuleMatch>();
        set.CreateEvaluator().Evaluate(new HarrierEvent[] { Ev.Exec(Ev.Proc("bash"), ts: 1), Ev.Exec(Ev.Proc("zsh"), ts: 2) }, matches);
        Assert.Equal(new[] { "exec bash", "exec any" }, matches.Select(m => m.Rule.Name));
    }

    [Fact]
    public void Evaluate_Match_CarriesOutputFieldsActionAndDetachedClone()
    {
        var set = Load();
        var p = Ev.Proc("bash", args: new[] { "-c", "id" }, parent: Ev.Proc("sshd", parent: Ev.Proc("systemd", pid: 1), pid: 5));
        var e = Ev.Exec(p);
        var matches = new List<RuleMatch>();
        set.CreateEvaluator().Evaluate(new HarrierEvent[] { e }, matches);
        var m = matches.First(x => x.Rule.Name == "exec bash");
        Assert.Equal("bash ran bash -c id by alice (systemd) fd=<NA> pad=[bash  ] [  bash] 100%", m.Output);
        Assert.Equal(RuleAction.Kill, m.Action);
        Assert.Equal(new[] { "proc.cmdline", "user.name", "proc.aname[2]", "fd.name", "proc.name", "proc.name" }, m.OutputFields.Select(f => f.Key));
        Assert.Null(m.OutputFields[3].Value);
        Assert.NotSame(e, m.Event);
        e.Reset();
        Assert.Equal(EventType.Execve, m.Event.Type);
        var alert = m.ToAlert("host1", Guid.NewGuid());
        Assert.Equal("exec bash", alert.Rule);
        Assert.Equal(Priority.Warning, alert.Priority);
        Assert.Equal(new[] { "a", "b" }, alert.Tags);
        Assert.Equal("bash", alert.Process!.Name);
    }

    [Fact]
    public void Evaluate_UninterestingTypes_FilteredBeforeNRules()
    {
        var set = Load();
        Assert.Equal(new[] { EventType.Execve, EventType.Execveat, EventType.Openat }, set.InterestingTypes.Order());
        var ev = set.CreateEvaluator();
        var matches = new List<RuleMatch>();
        ev.Evaluate(new HarrierEvent[] { Ev.Connect(Ev.Proc("x"), "1.2.3.4", 80), Ev.Open(Ev.Proc("x"), "/etc/a", type: EventType.Open) }, matches);
        Assert.Empty(matches);
        Assert.Equal(2, ev.EventsSeen);
        Assert.Equal(0, ev.EventsEvaluated);
    }

    [Fact]
    public void Evaluate_SameInstanceTwice_CountedOnce()
    {
        var set = Load();
        var e = Ev.Exec(Ev.Proc("bash"));
        var matches = new List<RuleMatch>();
        set.CreateEvaluator().Evaluate(new HarrierEvent[] { e, e }, matches);
        Assert.Equal(2, matches.Count); // exec bash + exec any, once each
    }

    [Fact]
    public void Evaluate_ManyBatches_SessionRetractsFacts()
    {
        var set = Load();
        var ev = set.CreateEvaluator();
        var bash = Ev.Proc("bash");
        int total = 0;
        for (int b = 0; b < 50; b++)
        {
            var batch = Enumerable.Range(0, 100).Select(i => (HarrierEvent)(i % 10 == 0 ? Ev.Exec(bash, ts: i) : Ev.Open(bash, "/tmp/x", ts: i))).ToArray();
            var matches = new List<RuleMatch>();
            ev.Evaluate(batch, matches);
            total += matches.Count;
            Assert.Equal(20, matches.Count);
        }

        Assert.Equal(1000, total);
    }

    [Fact]
    public void Evaluate_EveryClass_RoutedToItsRules()
    {
        var r = RuleLoader.LoadText("""
            - rule: any class
              desc: d
              condition: proc.name = marker
              output: "%evt.type"
              priority: INFO
              warn_evttypes: false
            """);
        Assert.True(r.Success, r.Format());
        var p = Ev.Proc("marker");
        var events = new HarrierEvent[]
        {
            Ev.Exec(p), Ev.Open(p, "/x"), Ev.Connect(p, "1.1.1.1", 1), Ev.Priv(p, EventType.Setuid),
            new DecisionEvent { Type = EventType.LsmDecision, Comm = "marker", Hook = "file_open", TimestampNs = 2_000_000_000 },
        };
        var matches = new List<RuleMatch>();
        r.RuleSet!.CreateEvaluator().Evaluate(events, matches);
        Assert.Equal(new[] { "execve", "openat", "connect", "setuid", "lsm_decision" }, matches.Select(m => m.Output));
    }

    [Fact]
    public void CompiledRuleSet_ReportsCompileTime()
    {
        Assert.True(Load().CompileTime > TimeSpan.Zero);
    }

    [Fact]
    public void Evaluate_NRulesFailure_DegradesToDirectEvaluation_AndRecovers()
    {
        var set = Load();
        var ev = set.CreateEvaluator();
        var bash = Ev.Proc("bash");
        ev.SimulateSessionFault = true;
        var matches = new List<RuleMatch>();
        var e1 = Ev.Exec(bash, ts: 1);
        ev.Evaluate(new HarrierEvent[] { e1, Ev.Open(bash, "/etc/passwd", ts: 2) }, matches);
        Assert.Equal(new[] { "exec bash", "exec any", "open etc" }, matches.Select(m => m.Rule.Name));
        Assert.Equal(1, ev.EvaluationErrors);
        Assert.IsType<InvalidOperationException>(ev.LastError);

        // The session was cleaned: the same instances evaluate normally next time.
        ev.SimulateSessionFault = false;
        matches.Clear();
        ev.Evaluate(new HarrierEvent[] { e1 }, matches);
        Assert.Equal(new[] { "exec bash", "exec any" }, matches.Select(m => m.Rule.Name));
        Assert.Equal(1, ev.EvaluationErrors);
    }
}
