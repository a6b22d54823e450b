using Harrier.Events;
using Xunit.Abstractions;

namespace Harrier.Rules.Tests;

/// <summary>Falco's stable rule file (read from shared/falco-rules beside the checkout, never copied) loads and compiles.</summary>
public class FalcoAcceptanceTests
{
    private readonly ITestOutputHelper _out;

    public FalcoAcceptanceTests(ITestOutputHelper output) => _out = output;

    /// <summary>Rules whose only obstacle is a field Harrier cannot supply.</summary>
    private static readonly Dictionary<string, string> ExpectedSkipped = new();

    private const int ExpectedCompiled = 25;

    [FalcoRulesFact]
    public void FalcoStableRules_Validate_ExactCounts()
    {
        var path = TestPaths.FalcoRules;

        var r = RuleLoader.Load(new[] { path! });
        _out.WriteLine(r.Format());
        Assert.True(r.Success, r.Format());
        Assert.Empty(r.Errors);
        Assert.Equal(ExpectedCompiled, r.RuleSet!.Rules.Count);
        Assert.Equal(ExpectedSkipped.Count, r.Skipped.Count);
        foreach (var s in r.Skipped)
        {
            Assert.True(ExpectedSkipped.TryGetValue(s.Name, out var field), $"unexpected skip: {s.Name}: {s.Reason}");
            Assert.Contains(field, s.Reason, StringComparison.Ordinal);
        }

        Assert.Contains(EventType.Execve, r.RuleSet.InterestingTypes);
        Assert.Contains(EventType.Openat, r.RuleSet.InterestingTypes);
        Assert.All(r.RuleSet.Rules, rule => Assert.NotEmpty(rule.EventTypes));
    }

    [FalcoRulesFact]
    public void FalcoStableRules_ValidateCommand_ExitsZero()
    {
        var path = TestPaths.FalcoRules;
        var o = new StringWriter();
        Assert.Equal(0, RulesCommands.Validate(new[] { path! }, o));
        Assert.Contains("25 rule(s) compiled", o.ToString(), StringComparison.Ordinal);
    }

    [FalcoRulesFact]
    public void FalcoStableRules_ShellInContainerStyleEvents_Evaluate()
    {
        var path = TestPaths.FalcoRules;
        var set = RuleLoader.Load(new[] { path! }).RuleSet!;
        var ev = set.CreateEvaluator();

        // "Read sensitive file untrusted": an untrusted program opens /etc/shadow for reading.
        var p = Ev.Proc("evilcat", "/tmp/evilcat", parent: Ev.Proc("bash", pid: 40), pid: 41);
        var open = Ev.Open(p, "/etc/shadow");
        var matches = new List<RuleMatch>();
        ev.Evaluate(new HarrierEvent[] { open, Ev.Open(p, "/etc/hostname") }, matches);
        _out.WriteLine(string.Join("\n", matches.Select(m => m.Rule.Name + ": " + m.Output)));
        Assert.Contains(matches, m => m.Rule.Name == "Read sensitive file untrusted");
        Assert.All(matches, m => Assert.Equal("/etc/shadow", ((FileEvent)m.Event).Path));
    }
}
