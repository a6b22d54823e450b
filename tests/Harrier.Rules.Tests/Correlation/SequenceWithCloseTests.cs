using System.Net;
using Harrier.Events;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Rules.Tests.Correlation;

public sealed class SequenceWithCloseTests
{
    private const string Yaml = """
        - rule: Test read then loopback connect
          desc: d
          sequence:
            by: [proc.pid]
            within: 10s
            steps:
              - evt.type = openat and fd.name = /etc/hostname
              - evt.type = connect and fd.sip = 127.0.0.1
          output: "read %step1.fd.name then connected to %fd.sip:%fd.sport (%proc.name)"
          priority: NOTICE
        - rule: Test close names the fd
          desc: d
          condition: evt.type = close and fd.name = /etc/hostname and proc.name = python3
          output: "closed %fd.name fd=%fd.num res=%evt.res"
          priority: INFO
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sequence_CloseBetweenSteps_StillFires(bool oneBatch)
    {
        var r = RuleLoader.LoadText(Yaml);
        Assert.True(r.Success, r.Format());
        var ev = r.RuleSet!.CreateEvaluator(new FakeTimeProvider());
        var p = Ev.Proc("python3");
        var open = Ev.Open(p, "/etc/hostname", ts: 1_000);
        var close = Ev.Open(p, "/etc/hostname", type: EventType.Close, res: 0, ts: 2_000);
        var connect = Ev.Connect(p, "127.0.0.1", 4444, ts: 3_000);
        var m = new List<RuleMatch>();
        if (oneBatch)
        {
            ev.Evaluate(new HarrierEvent[] { open, close, connect }, m);
        }
        else
        {
            ev.Evaluate(new HarrierEvent[] { open }, m);
            ev.Evaluate(new HarrierEvent[] { close }, m);
            ev.Evaluate(new HarrierEvent[] { connect }, m);
        }

        Assert.Contains(m, x => x.Rule.Name == "Test read then loopback connect");
        Assert.Contains(m, x => x.Rule.Name == "Test close names the fd");
    }
}
