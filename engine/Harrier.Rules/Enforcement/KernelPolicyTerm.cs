namespace Harrier.Rules.Enforcement;

/// <summary>
/// One kernel-checkable alternative of a deny/kill rule: "<see cref="Operations"/> on <see cref="Value"/>" (a path,
/// a CIDR, a uid or a container id), optionally restricted to the processes of container <see cref="ContainerId"/>.
/// The terms of an <see cref="EnforcementPlan"/> are OR-ed. Neutral (no engine types); immutable; thread-safe.
/// </summary>
/// <param name="Kind">What <paramref name="Value"/> names.</param>
/// <param name="Value">Absolute path (no trailing slash, except <c>/</c>), CIDR (<c>10.0.0.0/8</c>, <c>::1/128</c>), uid, or container id.</param>
/// <param name="Operations">The operations refused.</param>
public sealed record KernelPolicyTerm(KernelTermKind Kind, string Value, KernelOperations Operations)
{
    /// <summary>For <see cref="KernelTermKind.ConnectCidr"/> and <see cref="KernelTermKind.BindCidr"/>: the port, 0 = any port.</summary>
    public ushort Port { get; init; }

    /// <summary>A qualifier: the term applies only to processes of this container (its cgroup). Null: every process.</summary>
    public string? ContainerId { get; init; }

    /// <summary>True for the network kinds.</summary>
    public bool IsNetwork => Kind is KernelTermKind.ConnectCidr or KernelTermKind.BindCidr;

    /// <summary>
    /// The value as <c>Harrier.Engine.Enforcement.EnforcementPolicy.Value</c> expects it: the path, uid or container
    /// id as is; networks as <c>CIDR[:port]</c>, IPv6 with a port in brackets (<c>[::1/128]:443</c>).
    /// </summary>
    public string PolicyValue => !IsNetwork || Port == 0 ? Value : Value.Contains(':', StringComparison.Ordinal) ? $"[{Value}]:{Port}" : $"{Value}:{Port}";

    /// <summary>The LSM hooks that enforce this term, e.g. <c>file_open</c>, <c>bprm_check_security</c>.</summary>
    public IReadOnlyList<string> LsmHooks
    {
        get
        {
            var hooks = new List<string>(3);
            if ((Operations & KernelOperations.Exec) != 0) hooks.Add("bprm_check_security");
            if ((Operations & KernelOperations.Open) != 0) hooks.Add("file_open");
            if ((Operations & KernelOperations.Unlink) != 0) hooks.Add("inode_unlink");
            if ((Operations & KernelOperations.Connect) != 0) hooks.Add("socket_connect");
            if ((Operations & KernelOperations.Bind) != 0) hooks.Add("socket_bind");
            return hooks;
        }
    }

    /// <summary>A short description: <c>path /etc/shadow</c>, <c>prefix /etc/ssh/</c>, <c>10.0.0.0/8 port 443</c>, <c>uid 1000</c>.</summary>
    public string Describe()
    {
        string what = Kind switch
        {
            KernelTermKind.ExecPath => $"exec {Value}",
            KernelTermKind.FilePath => $"path {Value}",
            KernelTermKind.FilePrefix => $"prefix {(Value == "/" ? "/" : Value + "/")}",
            KernelTermKind.ConnectCidr or KernelTermKind.BindCidr => Port == 0 ? $"{Value} any port" : $"{Value} port {Port}",
            KernelTermKind.Uid => $"uid {Value}",
            KernelTermKind.Cgroup => $"container {Value}",
            _ => Value,
        };
        return ContainerId is null ? what : $"{what} in container {ContainerId}";
    }

    /// <summary><c>file_open (path /etc/shadow)</c>.</summary>
    public override string ToString() => $"{string.Join('+', LsmHooks)} ({Describe()})";
}
