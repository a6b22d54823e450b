using Harrier.Events;
using Harrier.Rules.Diagnostics;

namespace Harrier.Rules.Enforcement;

/// <summary>
/// How one deny/kill rule is enforced: by which mechanism (<c>lsm</c>, <c>cgroup</c>, <c>user-space</c>) and
/// through what (hooks and terms) or, for user space, why not in the kernel. Immutable; thread-safe.
/// </summary>
public sealed record RuleEnforcement
{
    public const string Lsm = "lsm";
    public const string Cgroup = "cgroup";
    public const string Kernel = "kernel";
    public const string UserSpace = "user-space";

    public required string Rule { get; init; }

    public RuleAction Action { get; init; }

    /// <summary><see cref="Lsm"/>, <see cref="Cgroup"/>, <see cref="Kernel"/> (validate: LSM or cgroup, decided at start) or <see cref="UserSpace"/>.</summary>
    public required string Mechanism { get; init; }

    /// <summary>What enforces it (<c>file_open (path /etc/shadow)</c>) or why only user space can.</summary>
    public required string Detail { get; init; }

    /// <summary>The field that keeps the rule out of the kernel, when one does.</summary>
    public string? Field { get; init; }

    /// <summary>Whether the deny/kill is in monitor mode (would-deny decisions only).</summary>
    public bool Monitor { get; init; }

    public SourceLocation Location { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();

    public bool InKernel => Mechanism != UserSpace;

    /// <summary>The <c>harrier rules validate</c> / start-up line: <c>enforcement: Rule X -&gt; lsm file_open (path /etc/shadow)</c>.</summary>
    public override string ToString() => Mechanism == UserSpace
        ? $"enforcement: {Rule} -> user space only: {Detail}{(Location.Line > 0 ? $" ({Location})" : string.Empty)}"
        : $"enforcement: {Rule} -> {Mechanism} {Detail}{(Monitor ? " [monitor]" : string.Empty)}";
}
