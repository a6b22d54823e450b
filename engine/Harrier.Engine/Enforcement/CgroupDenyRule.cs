using System.Net;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// One cgroup network deny entry: <see cref="Operation"/> to an address in <see cref="Network"/> (CIDR) on
/// <see cref="Port"/> (0 = any) from processes of cgroup <see cref="CgroupId"/> (0 = any cgroup below the
/// attach point) is refused with EPERM, or only reported when <see cref="Monitor"/>. Immutable.
/// </summary>
public sealed record CgroupDenyRule
{
    public required CgroupOperation Operation { get; init; }

    /// <summary>IPv4 or IPv6 network; a single address is a /32 or /128.</summary>
    public required IPNetwork Network { get; init; }

    public ushort Port { get; init; }

    public ulong CgroupId { get; init; }

    /// <summary>Carried into decision records (<c>DecisionEvent.Policy</c>).</summary>
    public uint RuleId { get; init; }

    /// <summary>Allow, but record a would-deny decision.</summary>
    public bool Monitor { get; init; }

    /// <summary>A printable form: <c>connect 127.0.0.2/32:8080 cgroup 1234</c>.</summary>
    public override string ToString() =>
        $"{Operation.ToString().ToLowerInvariant()} {Network}:{(Port == 0 ? "*" : Port)}{(CgroupId == 0 ? string.Empty : $" cgroup {CgroupId}")}{(Monitor ? " (monitor)" : string.Empty)}";
}
