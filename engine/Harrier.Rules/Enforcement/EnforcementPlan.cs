using Harrier.Events;
using Harrier.Rules.Diagnostics;

namespace Harrier.Rules.Enforcement;

/// <summary>
/// What <see cref="EnforcementPlanner"/> made of one deny/kill rule: either <see cref="Terms"/> that together match
/// exactly the operations the condition matches (OR-ed; see <see cref="Notes"/> for the documented ways kernel
/// identity differs from Falco's string fields), or the <see cref="Reason"/> it cannot be enforced in the kernel and
/// the offending <see cref="Field"/>. Immutable; thread-safe.
/// </summary>
public sealed record EnforcementPlan
{
    public required string RuleName { get; init; }

    public RuleAction Action { get; init; }

    public SourceLocation Location { get; init; }

    /// <summary>The kernel terms; empty when <see cref="Reason"/> is set.</summary>
    public IReadOnlyList<KernelPolicyTerm> Terms { get; init; } = Array.Empty<KernelPolicyTerm>();

    /// <summary>Why the rule cannot be enforced in the kernel (null when it can).</summary>
    public string? Reason { get; init; }

    /// <summary>The field that made the rule not kernel-expressible, when one did.</summary>
    public string? Field { get; init; }

    /// <summary>Known differences between the kernel check and the condition (e.g. inode identity covers hard links).</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();

    /// <summary>True when the terms can carry the whole rule in the kernel.</summary>
    public bool KernelExpressible => Reason is null && Terms.Count > 0;
}
