namespace Harrier.Events;

/// <summary>
/// set*id, capset, ptrace, mount/umount2, module load/unload, bpf, memfd_create, unshare/setns, dup family.
/// The generic slots hold the syscall's arguments; <see cref="Arg"/> names them as Falco's <c>evt.arg.*</c>.
/// </summary>
public sealed class PrivilegeEvent : HarrierEvent
{
    public override EventClass Class => EventClass.Privilege;

    /// <summary>set*id: the ids asked for, -1 = unchanged (ruid/rgid, euid/egid, suid/sgid).</summary>
    public long Id0 { get; set; } = -1;

    public long Id1 { get; set; } = -1;

    public long Id2 { get; set; } = -1;

    /// <summary>ptrace: request; bpf: cmd; unshare/setns/mount/umount2/memfd/finit_module/dup3: flags.</summary>
    public long Request { get; set; }

    public long Flags { get; set; }

    /// <summary>ptrace: target pid; setns/dup: fd (old fd for dup2/dup3); capset: target pid.</summary>
    public long Target { get; set; }

    /// <summary>dup2/dup3: new fd; capset: effective capability mask.</summary>
    public long Target2 { get; set; }

    /// <summary>capset: permitted and inheritable masks.</summary>
    public ulong CapPermitted { get; set; }

    public ulong CapInheritable { get; set; }

    /// <summary>mount: source; module: name or path of the module; memfd_create: name.</summary>
    public string? Name { get; set; }

    /// <summary>mount/umount2: target directory; mount: filesystem type in <see cref="FsType"/>.</summary>
    public string? TargetPath { get; set; }

    public string? FsType { get; set; }

    /// <summary>dup family: a description of what the old fd refers to (<c>socket:[ino]</c>, a path...).</summary>
    public string? FdName { get; set; }

    /// <summary>dup family: true when the old fd is a socket (reverse-shell detection).</summary>
    public bool FdIsSocket { get; set; }

    /// <summary>dup family, socket fds: the socket's address family (AF_INET 2, AF_INET6 10, AF_UNIX 1), 0 otherwise.</summary>
    public int FdSocketFamily { get; set; }

    /// <summary>dup family, IP socket fds: the socket's local and remote endpoints (Falco's fd.cip/fd.sip for it).</summary>
    public SockAddress FdLocal { get; set; }

    public SockAddress FdRemote { get; set; }

    public override void Reset()
    {
        base.Reset();
        Id0 = Id1 = Id2 = -1;
        Request = Flags = Target = Target2 = 0;
        CapPermitted = CapInheritable = 0;
        Name = TargetPath = FsType = FdName = null;
        FdIsSocket = false;
        FdSocketFamily = 0;
        FdLocal = default;
        FdRemote = default;
    }
}
