namespace Harrier.Events;

/// <summary>execve/execveat, fork/vfork/clone/clone3, and process exit.</summary>
public sealed class ProcessEvent : HarrierEvent
{
    public override EventClass Class => EventClass.Process;

    /// <summary>exec: the filename as passed to the syscall.</summary>
    public string? Filename { get; set; }

    /// <summary>exec: the absolute path of the executable the process runs after the call.</summary>
    public string? ExePath { get; set; }

    /// <summary>exec: argv[0..] as captured (argv[0] included), possibly cut at the configured limit.</summary>
    public IReadOnlyList<string> Argv { get; set; } = Array.Empty<string>();

    /// <summary>exec: true when argv had more entries or bytes than captured.</summary>
    public bool ArgvTruncated { get; set; }

    /// <summary>execveat: dirfd; fork family: clone flags.</summary>
    public long Flags { get; set; }

    /// <summary>fork family: the new child's pid (also the return value in the parent).</summary>
    public int ChildPid { get; set; }

    /// <summary>exit: the exit code when the process exited normally.</summary>
    public int ExitCode { get; set; }

    /// <summary>exit: the terminating signal, 0 when it exited normally.</summary>
    public int ExitSignal { get; set; }

    /// <summary>exit: true when a core was dumped.</summary>
    public bool CoreDumped { get; set; }

    /// <summary>exec (success): the capability sets the new image runs with; null when the source did not capture them.</summary>
    public Capabilities? Caps { get; set; }

    /// <summary>exec (success): where the executable lives when it is on overlayfs.</summary>
    public OverlayLayer ExeLayer { get; set; }

    public override void Reset()
    {
        base.Reset();
        Filename = null;
        ExePath = null;
        Argv = Array.Empty<string>();
        ArgvTruncated = false;
        Flags = 0;
        ChildPid = 0;
        ExitCode = 0;
        ExitSignal = 0;
        CoreDumped = false;
        Caps = null;
        ExeLayer = OverlayLayer.None;
    }
}
