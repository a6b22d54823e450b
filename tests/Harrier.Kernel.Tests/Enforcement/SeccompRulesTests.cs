using System.Net;
using System.Net.Sockets;
using Harrier.Events;
using Harrier.Rules;
using Harrier.Seccomp.Cli;
using Harrier.Seccomp.Notify;

namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>User notification decided by real Falco-style rules (Harrier.Rules): the wiring the host uses.</summary>
public sealed class SeccompRulesTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("harrier-seccomp-rules-");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>The decision callback: the first matching rule with <c>action: deny</c> denies with EPERM.</summary>
    private static Func<HarrierEvent, SeccompDecision> Decider(CompiledRuleSet rules, List<RuleMatch> seen)
    {
        var evaluator = rules.CreateEvaluator(); // the supervisor calls back on one thread
        var matches = new List<RuleMatch>();
        return ev =>
        {
            matches.Clear();
            evaluator.Evaluate(new[] { ev }, matches);
            seen.AddRange(matches);
            var deny = matches.FirstOrDefault(m => m.Action == RuleAction.Deny);
            return deny is null ? SeccompDecision.Continue : SeccompDecision.Deny(1, deny.Rule.Name);
        };
    }

    [SeccompFact]
    public void Exec_NotifyConnect_DenyRuleForPortBDeniesOnlyPortB()
    {
        using var a = new TcpListener(IPAddress.Loopback, 0);
        using var b = new TcpListener(IPAddress.Loopback, 0);
        a.Start();
        b.Start();
        int portA = ((IPEndPoint)a.LocalEndpoint).Port;
        int portB = ((IPEndPoint)b.LocalEndpoint).Port;
        var rulesYaml = $"""
            - rule: Block connections to the test port
              desc: the workload may not reach port {portB}
              condition: evt.type = connect and fd.sport = {portB}
              output: "blocked connect to %fd.sip:%fd.sport (proc=%proc.name)"
              priority: WARNING
              action: deny
            """;
        var load = RuleLoader.LoadText(rulesYaml, "seccomp-test-rules.yaml");
        Assert.True(load.Success, load.Format());

        var profile = Path.Combine(_dir.FullName, "p.yaml");
        File.WriteAllText(profile, "defaultAction: allow\nsyscalls:\n  - names: [connect]\n    action: notify\n");
        var script = $"exec 3<>/dev/tcp/127.0.0.1/{portA} && echo A-ok; if exec 4<>/dev/tcp/127.0.0.1/{portB}; then echo B-ok; else echo B-denied; fi";
        var seen = new List<RuleMatch>();
        var o = new StringWriter();
        var err = new StringWriter();
        int code = ExecCommand.Run(["--profile", profile, "--", "bash", "-c", script], o, err, Decider(load.RuleSet!, seen));

        Assert.Equal(0, code);
        Assert.Contains("A-ok", o.ToString(), StringComparison.Ordinal);
        Assert.Contains("B-denied", o.ToString(), StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", err.ToString(), StringComparison.Ordinal);
        Assert.True(ListenerAssert.Accepted(a));
        Assert.False(b.Pending());
        var match = Assert.Single(seen);
        Assert.Equal("Block connections to the test port", match.Rule.Name);
        Assert.Contains($"127.0.0.1:{portB}", match.Output, StringComparison.Ordinal);
    }
}
