namespace Harrier.Seccomp.Profiles;

/// <summary>What the kernel does with a syscall a profile entry (or the default) matches.</summary>
public enum SeccompAction : byte
{
    /// <summary>Run the syscall (SECCOMP_RET_ALLOW).</summary>
    Allow = 0,

    /// <summary>Fail it with an errno without running it (SECCOMP_RET_ERRNO).</summary>
    Errno = 1,

    /// <summary>Kill the calling thread (SECCOMP_RET_KILL_THREAD).</summary>
    Kill = 2,

    /// <summary>Kill the whole process (SECCOMP_RET_KILL_PROCESS).</summary>
    KillProcess = 3,

    /// <summary>Run it and write an audit record (SECCOMP_RET_LOG).</summary>
    Log = 4,

    /// <summary>Hand it to a ptrace tracer; ENOSYS when none (SECCOMP_RET_TRACE).</summary>
    Trace = 5,

    /// <summary>Ask Harrier's user-space supervisor (SECCOMP_RET_USER_NOTIF).</summary>
    Notify = 6,

    /// <summary>Send SIGSYS to the caller (SECCOMP_RET_TRAP).</summary>
    Trap = 7,
}
