namespace Harrier.Engine.Enforcement;

/// <summary>How a verdict is carried out, strongest first (lower value = stronger).</summary>
public enum EnforcementMechanism
{
    /// <summary>A BPF LSM hook returns -EPERM before the operation happens (and may SIGKILL the caller).</summary>
    BpfLsm = 0,

    /// <summary>A cgroup BPF program (connect4/6, bind) refuses the operation for a cgroup.</summary>
    Cgroup = 1,

    /// <summary>A seccomp filter (or user-notification supervisor) refuses the syscall.</summary>
    Seccomp = 2,

    /// <summary>bpf_send_signal(SIGKILL) from a syscall tracepoint: the process dies, the syscall may have run.</summary>
    InKernelSignal = 3,

    /// <summary>kill(2) from user space after the event arrives: racy, last resort.</summary>
    UserSpaceKill = 4,
}
