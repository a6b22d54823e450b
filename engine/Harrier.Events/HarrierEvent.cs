namespace Harrier.Events;

/// <summary>
/// One enriched event: what the kernel (or seccomp, or an LSM hook) reported, plus the process it came from.
/// Instances are pooled and reused by the pipeline: a consumer that keeps one past its callback must
/// <see cref="CloneEvent"/> it. Not thread-safe.
/// </summary>
public abstract class HarrierEvent
{
    /// <summary>The event class, fixed per subclass.</summary>
    public abstract EventClass Class { get; }

    /// <summary>Monotonic sequence number given by the engine (stable within one run).</summary>
    public long EventId { get; set; }

    /// <summary>What happened (<c>evt.type</c>).</summary>
    public EventType Type { get; set; }

    /// <summary>Where it was observed.</summary>
    public EventSource Source { get; set; }

    /// <summary>Wall-clock time of the event in nanoseconds since the Unix epoch (<c>evt.time</c>).</summary>
    public long TimestampNs { get; set; }

    /// <summary>Kernel monotonic time (<c>bpf_ktime_get_boot_ns</c>) when captured; orders events.</summary>
    public ulong KTimeNs { get; set; }

    /// <summary>The syscall's return value: &gt;= 0 on success, -errno on failure (<c>evt.rawres</c>).</summary>
    public long Res { get; set; }

    /// <summary>Process id (thread-group id) of the caller.</summary>
    public int Pid { get; set; }

    /// <summary>Thread id of the caller.</summary>
    public int Tid { get; set; }

    /// <summary>Parent process id (from the kernel's real_parent).</summary>
    public int Ppid { get; set; }

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    /// <summary>Audit login uid; <see cref="uint.MaxValue"/> when unset (Falco prints -1).</summary>
    public uint LoginUid { get; set; }

    /// <summary>Kernel <c>comm</c> of the calling thread at the time of the event.</summary>
    public string Comm { get; set; } = string.Empty;

    /// <summary>cgroup v2 id of the caller.</summary>
    public ulong CgroupId { get; set; }

    /// <summary>Start time of the caller's thread group, boot-time nanoseconds: with Pid, a unique process key.</summary>
    public ulong ProcStartNs { get; set; }

    /// <summary>The process-table entry of the caller, when enrichment found it.</summary>
    public ProcessInfo? Process { get; set; }

    /// <summary>Set when the kernel had to cut a string or argument list short.</summary>
    public bool Truncated { get; set; }

    /// <summary>Clears every field so the instance can be reused.</summary>
    public virtual void Reset()
    {
        EventId = 0;
        Type = EventType.None;
        Source = EventSource.Syscall;
        TimestampNs = 0;
        KTimeNs = 0;
        Res = 0;
        Pid = Tid = Ppid = 0;
        Uid = Gid = 0;
        LoginUid = uint.MaxValue;
        Comm = string.Empty;
        CgroupId = 0;
        ProcStartNs = 0;
        Process = null;
        Truncated = false;
    }

    /// <summary>A detached copy that the pipeline will not reuse.</summary>
    public HarrierEvent CloneEvent() => (HarrierEvent)MemberwiseClone();
}
