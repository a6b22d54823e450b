namespace Harrier.Rules.Enforcement;

/// <summary>
/// What a <see cref="KernelPolicyTerm"/> names. Mirrors <c>Harrier.Engine.Enforcement.PolicyKind</c> member for
/// member (same names, same order), so the engine maps a term onto a policy entry 1:1.
/// </summary>
public enum KernelTermKind
{
    /// <summary>An executable file (the kernel keys it by device and inode).</summary>
    ExecPath,

    /// <summary>One file.</summary>
    FilePath,

    /// <summary>A directory and everything below it on the same filesystem.</summary>
    FilePrefix,

    /// <summary>A destination network (CIDR) with an optional port.</summary>
    ConnectCidr,

    /// <summary>A local bind address (CIDR) with an optional port.</summary>
    BindCidr,

    /// <summary>A user id: the operations are denied to every process of that uid.</summary>
    Uid,

    /// <summary>A container (cgroup): the operations are denied to its processes.</summary>
    Cgroup,
}
