using System.Globalization;
using Harrier.Events;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// The configuration shape of one enforcement policy (section <c>Enforcement:Lsm:Policies</c>), all strings so that
/// configuration binding never fails: <see cref="ToPolicies"/> validates and converts, reporting every error at once.
/// <code>{ "Kind": "exec-path", "Value": "/usr/bin/nc", "RuleId": 10, "Rule": "no netcat", "Action": "kill", "Monitor": false, "Operations": "exec" }</code>
/// </summary>
public sealed record PolicySpec
{
    public string? Kind { get; init; }

    public string? Value { get; init; }

    public string? RuleId { get; init; }

    public string? Rule { get; init; }

    /// <summary><c>deny</c> (default) or <c>kill</c>.</summary>
    public string? Action { get; init; }

    public bool Monitor { get; init; }

    /// <summary>Comma-separated: exec, open, unlink, rename, connect, bind, mount, module, bpf, ptrace.</summary>
    public string? Operations { get; init; }

    /// <summary>Converts specs to policies. Returns the policies only when <paramref name="errors"/> is empty.</summary>
    public static IReadOnlyList<EnforcementPolicy> ToPolicies(IReadOnlyList<PolicySpec> specs, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var errs = new List<string>();
        var result = new List<EnforcementPolicy>(specs.Count);
        for (int i = 0; i < specs.Count; i++)
        {
            var s = specs[i];
            string where = $"Enforcement:Lsm:Policies:{i}";
            int before = errs.Count;
            if (!PolicyKinds.TryParse(s.Kind, out var kind))
            {
                errs.Add($"{where}:Kind '{s.Kind}' is not one of exec-path, file-path, file-prefix, connect-cidr, bind-cidr, uid, cgroup");
            }
            if (string.IsNullOrWhiteSpace(s.Value))
            {
                errs.Add($"{where}:Value is required");
            }
            if (!uint.TryParse(s.RuleId, NumberStyles.None, CultureInfo.InvariantCulture, out uint ruleId) || ruleId == 0)
            {
                errs.Add($"{where}:RuleId must be a number > 0");
            }
            RuleAction action = RuleAction.Deny;
            switch (s.Action?.Trim().ToLowerInvariant())
            {
                case null or "" or "deny":
                    break;
                case "kill":
                    action = RuleAction.Kill;
                    break;
                default:
                    errs.Add($"{where}:Action '{s.Action}' must be deny or kill");
                    break;
            }
            if (!PolicyKinds.TryParseOperations(s.Operations, out var ops, out var unknown))
            {
                errs.Add($"{where}:Operations: unknown operation '{unknown}'");
            }
            if (errs.Count == before)
            {
                result.Add(new EnforcementPolicy
                {
                    Kind = kind,
                    Value = s.Value!.Trim(),
                    RuleId = ruleId,
                    RuleName = s.Rule,
                    Action = action,
                    Monitor = s.Monitor,
                    Operations = ops,
                });
            }
        }
        errors = errs;
        return errs.Count == 0 ? result : Array.Empty<EnforcementPolicy>();
    }
}
