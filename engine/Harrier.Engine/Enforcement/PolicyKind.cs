namespace Harrier.Engine.Enforcement;

/// <summary>What an <see cref="EnforcementPolicy"/> value names. Config names in <see cref="PolicyKinds"/>.</summary>
public enum PolicyKind
{
    /// <summary><c>exec-path</c>: an executable file (resolved to its device and inode at add time).</summary>
    ExecPath,

    /// <summary><c>file-path</c>: one file (open, unlink, rename).</summary>
    FilePath,

    /// <summary><c>file-prefix</c>: a directory and everything below it on the same filesystem.</summary>
    FilePrefix,

    /// <summary><c>connect-cidr</c>: a destination network, optionally with a port: <c>10.0.0.0/8</c>, <c>10.0.0.0/8:443</c>, <c>[2001:db8::/32]:443</c>.</summary>
    ConnectCidr,

    /// <summary><c>bind-cidr</c>: a local bind address, same syntax as <see cref="ConnectCidr"/>.</summary>
    BindCidr,

    /// <summary><c>uid</c>: a user id (or <c>*</c> for every uid); the operations listed are denied to it.</summary>
    Uid,

    /// <summary><c>cgroup</c>: a cgroup v2 id or directory path; the operations listed are denied to its processes.</summary>
    Cgroup,
}
