namespace Harrier.Rules.Enforcement;

/// <summary>
/// The operations a <see cref="KernelPolicyTerm"/> applies to. Values are the <c>enum pol_op</c> bits of
/// <c>lsm-hooks/include/policy_maps.h</c> and equal <c>Harrier.Engine.Enforcement.PolicyOperations</c>: a cast maps
/// one onto the other. Never renumber.
/// </summary>
[Flags]
public enum KernelOperations : ushort
{
    None = 0,

    /// <summary>execve / execveat (LSM <c>bprm_check_security</c>).</summary>
    Exec = 1 << 0,

    /// <summary>open / openat / openat2 / creat (LSM <c>file_open</c>).</summary>
    Open = 1 << 1,

    /// <summary>unlink / unlinkat / rmdir (LSM <c>inode_unlink</c>, <c>inode_rmdir</c>).</summary>
    Unlink = 1 << 2,

    /// <summary>connect (LSM <c>socket_connect</c>, cgroup <c>connect4/6</c>).</summary>
    Connect = 1 << 4,

    /// <summary>bind (LSM <c>socket_bind</c>, cgroup <c>bind4/6</c>).</summary>
    Bind = 1 << 5,
}
