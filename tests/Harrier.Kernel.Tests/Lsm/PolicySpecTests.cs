using Harrier.Engine.Enforcement;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Lsm;

public sealed class PolicySpecTests
{
    [Fact]
    public void ToPolicies_ValidSpecs_Convert()
    {
        var p = PolicySpec.ToPolicies(
            [new PolicySpec { Kind = "connect-cidr", Value = " 10.0.0.0/8:443 ", RuleId = "12", Rule = "no-egress", Action = "KILL", Monitor = true, Operations = "connect,bind" }],
            out var errors);
        Assert.Empty(errors);
        var e = Assert.Single(p);
        Assert.Equal(PolicyKind.ConnectCidr, e.Kind);
        Assert.Equal("10.0.0.0/8:443", e.Value);
        Assert.Equal(12U, e.RuleId);
        Assert.Equal("no-egress", e.DisplayName);
        Assert.Equal(RuleAction.Kill, e.Action);
        Assert.True(e.Monitor);
        Assert.Equal(PolicyOperations.Connect | PolicyOperations.Bind, e.Operations);
    }

    [Fact]
    public void ToPolicies_BadSpecs_ReportEveryFieldAndNoPolicies()
    {
        var p = PolicySpec.ToPolicies(
            [
                new PolicySpec { Kind = "exec", Value = "", RuleId = "x", Action = "alert", Operations = "fly" },
                new PolicySpec { Kind = "uid", Value = "0", RuleId = "0" },
            ],
            out var errors);
        Assert.Empty(p);
        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Enforcement:Lsm:Policies:1:RuleId", StringComparison.Ordinal));
    }
}
