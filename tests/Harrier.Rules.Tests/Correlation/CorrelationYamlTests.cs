using System.Net;
using Harrier.Events;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Rules.Tests.Correlation;

/// <summary>The <c>sequence:</c> and <c>threshold:</c> keys, from YAML through the evaluator.</summary>
public sealed class CorrelationYamlTests
{
    private const string Yaml = """
        - macro: open_read
          condition: evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.num >= 0
        - list: secrets
          items: [/etc/shadow, /etc/gshadow]
        - rule: Sensitive read then outbound connection
          desc: a process reads a credential file and then connects out
          sequence:
            by: [proc.pid]
            within: 30s
            steps:
              - open_read and fd.name in (secrets)
              - evt.type = connect and fd.sip != 127.0.0.1
          output: "%proc.name read %step1.fd.name then connected to %fd.sip:%fd.sport"
          priority: CRITICAL
          tags: [correlation]
        - rule: Burst of failed opens under /etc
          desc: many distinct failed opens
          threshold:
            by: proc.pid
            within: 10s
            condition: evt.type = openat and evt.rawres < 0 and fd.name startswith /etc/
            count: 3
            distinct: fd.name
          output: "%harrier.count failed opens under /etc by %proc.name"
          priority: WARNING
        """;

    private readonly FakeTimeProvider _time = new();

    private RuleEvaluator Load(string yaml = Yaml)
    {
        var r = RuleLoader.LoadText(yaml);
        Assert.True(r.Success, r.Format());
        return r.RuleSet!.CreateEvaluator(_time);
    }

    private static FileEvent Open(int pid, string path, long res = 3) => new()
    {
        Type = EventType.Openat, Pid = pid, Tid = pid, Comm = "curl", Path = path, RawPath = path, Res = res,
        Fd = res >= 0 ? (int)res : -1, Flags = 0,
    };

    private static NetworkEvent Connect(int pid, string ip) => new()
    {
        Type = EventType.Connect, Pid = pid, Tid = pid, Comm = "curl", Domain = 2, SockType = 1, Res = 0,
        Remote = SockAddress.FromIP(IPAddress.Parse(ip), 443), Local = SockAddress.FromIP(IPAddress.Parse("10.0.0.2"), 40000),
    };

    private static List<RuleMatch> Feed(RuleEvaluator ev, params HarrierEvent[] events)
    {
        var m = new List<RuleMatch>();
        ev.Evaluate(events, m);
        return m;
    }

    [Fact]
    public void Load_CorrelationRules_ListedWithTheirStepTypesInTheInterestingSet()
    {
        var r = RuleLoader.LoadText(Yaml);
        Assert.True(r.Success, r.Format());
        Assert.Equal(2, r.RuleSet!.Correlations.Count);
        Assert.Contains(r.RuleSet.Rules, x => x.Name == "Sensitive read then outbound connection" && x.Condition.StartsWith("sequence by proc.pid", StringComparison.Ordinal));
        Assert.Contains(EventType.Connect, r.RuleSet.InterestingTypes);
        Assert.Contains(EventType.Openat, r.RuleSet.InterestingTypes);
    }

    [Fact]
    public void Sequence_FromYaml_FiresWithStepFieldsInOutput()
    {
        var ev = Load();
        Assert.Empty(Feed(ev, Open(5, "/etc/shadow")));
        _time.Advance(TimeSpan.FromSeconds(3));
        var m = Assert.Single(Feed(ev, Connect(5, "198.51.100.7")));
        Assert.Equal("curl read /etc/shadow then connected to 198.51.100.7:443", m.Output);
        Assert.Equal(Priority.Critical, m.Rule.Priority);
        Assert.Equal(["correlation"], m.Rule.Tags);
    }

    [Fact]
    public void Sequence_LoopbackConnect_DoesNotCompleteTheSequence()
    {
        var ev = Load();
        Feed(ev, Open(5, "/etc/shadow"));
        Assert.Empty(Feed(ev, Connect(5, "127.0.0.1")));
    }

    [Fact]
    public void Threshold_FromYaml_DistinctFailuresFire()
    {
        var ev = Load();
        Assert.Empty(Feed(ev, Open(9, "/etc/a", -2), Open(9, "/etc/a", -2)));
        Assert.Empty(Feed(ev, Open(9, "/etc/b", -13)));
        var m = Assert.Single(Feed(ev, Open(9, "/etc/c", -2)));
        Assert.Equal("4 failed opens under /etc by curl", m.Output);
    }

    [Theory]
    [InlineData("[proc.pid]", "soon", "", "'within'")]
    [InlineData("[proc.pid]", "0s", "", "'within'")]
    [InlineData("[proc.pid]", "5s", "bogus: 1", "unknown key 'bogus'")]
    [InlineData("[no.such.field]", "5s", "", "unknown field 'no.such.field'")]
    public void Load_BadSequenceBlock_ErrorNamesTheProblem(string by, string within, string extra, string expected)
    {
        string yaml = $"""
            - rule: r
              desc: d
              sequence:
                by: {by}
                within: {within}
                steps: [evt.type = openat, evt.type = connect]
                {extra}
              output: o
              priority: INFO
            """;
        var r = RuleLoader.LoadText(yaml);
        Assert.False(r.Success);
        Assert.Contains(r.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal) && e.Code == "HR3016");
    }

    [Fact]
    public void Load_SequenceWithOneStep_Error()
    {
        var r = RuleLoader.LoadText("""
            - rule: r
              desc: d
              sequence: {by: proc.pid, within: 5s, steps: [evt.type = openat]}
              output: o
              priority: INFO
            """);
        Assert.False(r.Success);
        Assert.Contains(r.Errors, e => e.Code == "HR3016" && e.Message.Contains("2 to 16", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ConditionAndSequence_Error()
    {
        var r = RuleLoader.LoadText("""
            - rule: r
              desc: d
              condition: evt.type = openat
              sequence: {by: proc.pid, within: 5s, steps: [evt.type = openat, evt.type = connect]}
              output: o
              priority: INFO
            """);
        Assert.False(r.Success);
        Assert.Contains(r.Errors, e => e.Code == "HR3016" && e.Message.Contains("not in 'condition'", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_StepWithSyntaxError_ErrorAtStepLocation()
    {
        var r = RuleLoader.LoadText("""
            - rule: r
              desc: d
              sequence:
                by: proc.pid
                within: 5s
                steps:
                  - evt.type = openat
                  - evt.type = (
              output: o
              priority: INFO
            """);
        Assert.False(r.Success);
        var e = Assert.Single(r.Errors);
        Assert.Equal("HR3001", e.Code);
        Assert.Contains("step 2", e.Message, StringComparison.Ordinal);
        Assert.Equal(8, e.Location.Line);
    }
}
