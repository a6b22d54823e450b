using System.Net;
using Harrier.Events;
using Harrier.Rules.Correlation;
using Harrier.Rules.Output;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Rules.Tests.Correlation;

/// <summary>Sequence and threshold rules on NRules joins and aggregates, with a fake clock.</summary>
public sealed class CorrelationEvaluatorTests
{
    private readonly FakeTimeProvider _time = new();

    private static CompiledRule Rule(string name, string output) =>
        new(OutputFormat.Parse("x"), _ => false) { Name = name, Condition = "(correlation)", Output = output, Priority = Priority.Warning };

    private static (FieldInfo, string?) F(string name)
    {
        Assert.True(FieldRegistry.TryGet(name, out var f), name);
        return (f, null);
    }

    private static CorrelationSpec ReadThenConnect(TimeSpan window) => new()
    {
        Rule = Rule("Sensitive read then connect", "read %step1.fd.name then connected to %fd.sip"),
        Kind = CorrelationKind.Sequence,
        Steps = [EventFilter.Compile("evt.type = openat and fd.name = /etc/shadow"), EventFilter.Compile("evt.type = connect")],
        StepTypes = [[EventType.Openat], [EventType.Connect]],
        Key = [F("proc.pid")],
        Window = window,
    };

    private static CorrelationSpec FailedOpens(int count, bool distinct) => new()
    {
        Rule = Rule("Failed opens under /etc", "%harrier.count failed opens, last %fd.name"),
        Kind = CorrelationKind.Threshold,
        Steps = [EventFilter.Compile("evt.type = openat and evt.rawres < 0 and fd.name startswith /etc/")],
        Key = [F("proc.pid")],
        Window = TimeSpan.FromSeconds(10),
        Count = count,
        Distinct = distinct ? F("fd.name") : null,
    };

    private CorrelationEvaluator Make(int maxFacts = 1000, params CorrelationSpec[] specs) =>
        new CorrelationSet(specs).CreateEvaluator(_time, maxFacts);

    private static FileEvent Open(int pid, string path, long res = 3) =>
        new() { Type = EventType.Openat, Pid = pid, Tid = pid, Comm = "cat", Path = path, RawPath = path, Res = res, Fd = res >= 0 ? (int)res : -1 };

    private static NetworkEvent Connect(int pid) => new()
    {
        Type = EventType.Connect,
        Pid = pid,
        Tid = pid,
        Comm = "cat",
        Domain = 2,
        SockType = 1,
        Res = 0,
        Remote = SockAddress.FromIP(IPAddress.Parse("203.0.113.9"), 443),
        Local = SockAddress.FromIP(IPAddress.Parse("10.0.0.2"), 50000),
    };

    private static List<RuleMatch> Feed(CorrelationEvaluator ev, params HarrierEvent[] events)
    {
        var m = new List<RuleMatch>();
        ev.Evaluate(events, m);
        return m;
    }

    [Fact]
    public void Sequence_StepsInOrderWithinWindow_FiresOnceWithFieldsOfEveryStep()
    {
        var ev = Make(specs: ReadThenConnect(TimeSpan.FromSeconds(30)));
        Assert.Empty(Feed(ev, Open(10, "/etc/shadow")));
        _time.Advance(TimeSpan.FromSeconds(29));
        var m = Assert.Single(Feed(ev, Connect(10)));
        Assert.Equal("Sensitive read then connect", m.Rule.Name);
        Assert.Equal("read /etc/shadow then connected to 203.0.113.9", m.Output);
        Assert.Contains(m.OutputFields, kv => kv.Key == "step1.fd.name" && (string?)kv.Value == "/etc/shadow");
        Assert.Equal(0, ev.Facts); // the firing consumed both steps
        Assert.Empty(Feed(ev, Connect(10))); // fires once: a second connect has no first step to join...
        Assert.Equal(0, ev.Facts);          // ...so it is not even kept
    }

    [Fact]
    public void Sequence_LastStepAfterWindow_DoesNotFire()
    {
        var ev = Make(specs: ReadThenConnect(TimeSpan.FromSeconds(30)));
        Feed(ev, Open(10, "/etc/shadow"));
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Empty(Feed(ev, Connect(10)));
    }

    [Fact]
    public void Sequence_WrongOrder_DoesNotFire()
    {
        var ev = Make(specs: ReadThenConnect(TimeSpan.FromSeconds(30)));
        Assert.Empty(Feed(ev, Connect(10)));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(Feed(ev, Open(10, "/etc/shadow")));
    }

    [Fact]
    public void Sequence_StepsInOneBatchInOrder_Fires()
    {
        var ev = Make(specs: ReadThenConnect(TimeSpan.FromSeconds(30)));
        Assert.Single(Feed(ev, Open(10, "/etc/shadow"), Connect(10)));
    }

    [Fact]
    public void Sequence_DifferentKeys_DoesNotFire()
    {
        var ev = Make(specs: ReadThenConnect(TimeSpan.FromSeconds(30)));
        Feed(ev, Open(10, "/etc/shadow"));
        Assert.Empty(Feed(ev, Connect(11)));
    }

    [Fact]
    public void Threshold_DistinctCountReachedInWindow_FiresOnce()
    {
        var ev = Make(specs: FailedOpens(20, distinct: true));
        for (int i = 0; i < 19; i++)
        {
            Assert.Empty(Feed(ev, Open(7, $"/etc/missing-{i}", -2)));
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Empty(Feed(ev, Open(7, "/etc/missing-0", -2))); // a repeat is not distinct
        var m = Assert.Single(Feed(ev, Open(7, "/etc/missing-19", -2)));
        Assert.StartsWith("21 failed opens, last /etc/missing-19", m.Output);
        Assert.Empty(Feed(ev, Open(7, "/etc/missing-20", -2)));
    }

    [Fact]
    public void Threshold_MatchesSpreadBeyondWindow_DoesNotFire()
    {
        var ev = Make(specs: FailedOpens(3, distinct: false));
        Feed(ev, Open(7, "/etc/a", -2));
        _time.Advance(TimeSpan.FromSeconds(6));
        Feed(ev, Open(7, "/etc/b", -2));
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Empty(Feed(ev, Open(7, "/etc/c", -2))); // /etc/a fell out of the 10 s window
        Assert.Single(Feed(ev, Open(7, "/etc/d", -2)));
    }

    [Fact]
    public void Threshold_DifferentKeys_CountedSeparately()
    {
        var ev = Make(specs: FailedOpens(2, distinct: false));
        Assert.Empty(Feed(ev, Open(7, "/etc/a", -2), Open(8, "/etc/a", -2)));
        Assert.Single(Feed(ev, Open(8, "/etc/b", -2)));
    }

    [Fact]
    public void Evaluate_StateOverCap_OldestEvictedAndCounted()
    {
        var ev = Make(maxFacts: 5, ReadThenConnect(TimeSpan.FromSeconds(30)));
        for (int pid = 100; pid < 110; pid++)
        {
            Feed(ev, Open(pid, "/etc/shadow"));
        }

        Assert.Equal(5, ev.Facts);
        Assert.Equal(5, ev.Evictions);
        Assert.Empty(Feed(ev, Connect(100)));   // its first step was evicted
        Assert.Single(Feed(ev, Connect(109)));  // a recent one still completes
    }

    [Fact]
    public void Evaluate_EventsMatchingNoStepOrOnlyALaterStep_KeepNoState()
    {
        var ev = Make(specs: [ReadThenConnect(TimeSpan.FromSeconds(30)), FailedOpens(3, false)]);
        Feed(ev, Open(1, "/tmp/x"), Connect(2));
        Assert.Equal(0, ev.Facts); // the connect matched a second step, but no first step waits for it
    }
}
