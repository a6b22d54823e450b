namespace Harrier.Events;

/// <summary>
/// One entry of the process table: the state Falco's <c>proc.*</c>, <c>user.*</c>, <c>group.*</c> and
/// <c>container.*</c> fields read. Keyed by (Pid, StartNs). Owned and mutated only by the enrichment stage;
/// rules read it on the pipeline thread.
/// </summary>
public sealed class ProcessInfo
{
    public int Pid { get; set; }

    public int Ppid { get; set; }

    /// <summary>Start time of the thread group, boot-time ns (the kernel's task start_time).</summary>
    public ulong StartNs { get; set; }

    /// <summary>The process name: comm (up to 15 bytes), as Falco's proc.name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Absolute path of the executable (proc.exepath).</summary>
    public string ExePath { get; set; } = string.Empty;

    /// <summary>argv[0] as the process was started (proc.exe).</summary>
    public string Exe { get; set; } = string.Empty;

    /// <summary>argv[1..] (proc.args is these joined by spaces).</summary>
    public IReadOnlyList<string> Args { get; set; } = Array.Empty<string>();

    public string Cwd { get; set; } = string.Empty;

    /// <summary>Environment entries (<c>KEY=value</c>) when enrichment captured them (<c>proc.env</c>); empty when unknown.</summary>
    public IReadOnlyList<string> Env { get; set; } = Array.Empty<string>();

    /// <summary>Controlling terminal device number, 0 when none (proc.tty).</summary>
    public int Tty { get; set; }

    /// <summary>Session id and process-group id (proc.sid, proc.vpgid).</summary>
    public int Sid { get; set; }

    public int Pgid { get; set; }

    /// <summary>
    /// The capability sets (thread.cap_effective, ...): taken at exec, changed by capset, inherited at fork, read from
    /// /proc when the process was found there; null when unknown. Kept per process, as the process table is.
    /// </summary>
    public Capabilities? Caps { get; set; }

    /// <summary>Where the executable lives when it is on overlayfs, as seen at the last exec (None when unknown).</summary>
    public OverlayLayer ExeLayer { get; set; }

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    public uint LoginUid { get; set; } = uint.MaxValue;

    public string UserName { get; set; } = string.Empty;

    public string GroupName { get; set; } = string.Empty;

    public string LoginUserName { get; set; } = string.Empty;

    /// <summary>Container id (12 hex characters for docker-style ids), or <c>host</c>.</summary>
    public string ContainerId { get; set; } = "host";

    /// <summary>The full container id (64 hex characters for docker-style ids, the machine name for nspawn), or <c>host</c>
    /// (<c>container.full_id</c>).</summary>
    public string ContainerFullId { get; set; } = "host";

    /// <summary>The runtime the container id was recognised for: docker, containerd, cri-o, podman, systemd-nspawn, or empty.</summary>
    public string ContainerRuntime { get; set; } = string.Empty;

    /// <summary>The container's metadata from the runtime's state files, or null (the host, or nothing readable).</summary>
    public ContainerInfo? Container { get; set; }

    /// <summary>The cgroup v2 path of the process.</summary>
    public string CgroupPath { get; set; } = string.Empty;

    public ulong CgroupId { get; set; }

    /// <summary>The parent's entry, when the table has it.</summary>
    public ProcessInfo? Parent { get; set; }

    /// <summary>True when the entry was seeded from /proc rather than observed exec/fork events.</summary>
    public bool FromProcfs { get; set; }

    /// <summary>True once the process exited (the entry is kept briefly for late events).</summary>
    public bool Exited { get; set; }

    /// <summary>The command line as Falco prints proc.cmdline: name then args separated by spaces.</summary>
    public string Cmdline => Args.Count == 0 ? Name : Name + " " + string.Join(' ', Args);

    /// <summary>The n-th ancestor (1 = parent), or null.</summary>
    public ProcessInfo? Ancestor(int n)
    {
        var p = this;
        for (int i = 0; i < n && p is not null; i++)
        {
            p = p.Parent;
        }

        return p;
    }
}
