using System.Text.Json.Nodes;

namespace Harrier.Rules.Enforcement;

/// <summary>
/// The static (no kernel probe) enforcement report of <c>harrier rules validate</c>: for every deny/kill rule, the
/// LSM hooks and terms that would enforce it (and the cgroup fallback for network denies), or why only user space
/// can. Pure; thread-safe.
/// </summary>
public static class EnforcementSummary
{
    /// <summary>One entry per deny/kill rule of <paramref name="rules"/>, in load order.</summary>
    public static IReadOnlyList<RuleEnforcement> ForValidate(CompiledRuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return EnforcementPlanner.PlanAll(rules).Select(Describe).ToList();
    }

    /// <summary>The validate view of one plan.</summary>
    public static RuleEnforcement Describe(EnforcementPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.KernelExpressible)
        {
            return new RuleEnforcement
            {
                Rule = plan.RuleName,
                Action = plan.Action,
                Mechanism = RuleEnforcement.UserSpace,
                Detail = plan.Reason ?? "no kernel terms",
                Field = plan.Field,
                Location = plan.Location,
            };
        }

        string detail = string.Join("; ", plan.Terms.Select(t => t.ToString()));
        bool cgroupFallback = plan.Action == Events.RuleAction.Deny && plan.Terms.All(t => t.IsNetwork);
        if (cgroupFallback)
        {
            var ops = plan.Terms.Select(t => t.Kind == KernelTermKind.ConnectCidr ? "connect4/6" : "bind4/6").Distinct();
            detail += $"; without BPF LSM: cgroup {string.Join('+', ops)}";
        }

        return new RuleEnforcement
        {
            Rule = plan.RuleName,
            Action = plan.Action,
            Mechanism = RuleEnforcement.Lsm,
            Detail = detail,
            Location = plan.Location,
            Notes = plan.Notes,
        };
    }

    /// <summary>The <c>enforcement</c> array of the JSON report.</summary>
    public static JsonArray ToJson(IEnumerable<RuleEnforcement> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var array = new JsonArray();
        foreach (var r in report)
        {
            array.Add(new JsonObject
            {
                ["rule"] = r.Rule,
                ["action"] = r.Action.ToString().ToLowerInvariant(),
                ["mechanism"] = r.Mechanism,
                ["in_kernel"] = r.InKernel,
                ["detail"] = r.Detail,
                ["field"] = r.Field,
                ["monitor"] = r.Monitor,
                ["notes"] = new JsonArray(r.Notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
                ["file"] = r.Location.File,
                ["line"] = r.Location.Line,
                ["column"] = r.Location.Column,
            });
        }

        return array;
    }
}
