using Harrier.Events;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// One in-kernel enforcement entry, as configured or derived from a rule with <c>action: deny|kill</c>.
/// Validated by <see cref="PolicyCompiler"/>, which reports every problem of a list at once.
/// </summary>
public sealed record EnforcementPolicy
{
    /// <summary>What <see cref="Value"/> names.</summary>
    public required PolicyKind Kind { get; init; }

    /// <summary>A path, a CIDR with optional port, a uid (or <c>*</c>), or a cgroup id or path.</summary>
    public required string Value { get; init; }

    /// <summary>Kernel-side rule id, carried by every decision record. Must be &gt; 0 (0 is self-protection).</summary>
    public required uint RuleId { get; init; }

    /// <summary>The rule's name, for decisions decoded in this process. Defaults to <c>policy-ID</c>.</summary>
    public string? RuleName { get; init; }

    /// <summary><see cref="RuleAction.Deny"/> (-EPERM) or <see cref="RuleAction.Kill"/> (-EPERM and SIGKILL).</summary>
    public RuleAction Action { get; init; } = RuleAction.Deny;

    /// <summary>Allow, but record a <c>would-deny</c> / <c>would-kill</c> decision.</summary>
    public bool Monitor { get; init; }

    /// <summary>
    /// The operations covered. <see cref="PolicyOperations.None"/> takes the kind's default: exec for exec-path,
    /// open/unlink/rename for file kinds, connect or bind for network kinds. Required for uid and cgroup.
    /// </summary>
    public PolicyOperations Operations { get; init; }

    /// <summary>The name decisions report.</summary>
    public string DisplayName => string.IsNullOrWhiteSpace(RuleName) ? $"policy-{RuleId}" : RuleName;
}
