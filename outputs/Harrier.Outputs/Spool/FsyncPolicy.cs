namespace Harrier.Outputs.Spool;

/// <summary>When the spool forces appended records to stable storage.</summary>
public enum FsyncPolicy
{
    /// <summary>fsync after every append, before <c>Publish</c> returns: survives power loss, costs one fsync per alert.</summary>
    Always = 0,

    /// <summary>fsync at most every <c>FsyncIntervalMs</c> (and on stop): power loss may lose that interval; SIGKILL loses nothing.</summary>
    Interval = 1,

    /// <summary>Leave it to the kernel: SIGKILL loses nothing, power loss may lose what the page cache held.</summary>
    Never = 2,
}
