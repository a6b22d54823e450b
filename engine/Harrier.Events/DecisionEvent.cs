namespace Harrier.Events;

/// <summary>An enforcement decision taken in the kernel (LSM hook, cgroup program) or by seccomp.</summary>
public sealed class DecisionEvent : HarrierEvent
{
    public override EventClass Class => EventClass.Decision;

    /// <summary>The hook or mechanism, e.g. <c>file_open</c>, <c>cgroup/connect4</c>, <c>seccomp</c>.</summary>
    public string Hook { get; set; } = string.Empty;

    /// <summary>The syscall the decision was about (seccomp) or that triggered the hook, when known.</summary>
    public string? Syscall { get; set; }

    /// <summary>What the mechanism did: <c>denied</c>, <c>killed</c>, <c>allowed</c>, <c>would-deny</c>...</summary>
    public string Action { get; set; } = string.Empty;

    /// <summary>The policy or rule id that decided.</summary>
    public string? Policy { get; set; }

    /// <summary>The subject: a path, an address, a pid.</summary>
    public string? Subject { get; set; }

    public override void Reset()
    {
        base.Reset();
        Hook = string.Empty;
        Syscall = null;
        Action = string.Empty;
        Policy = null;
        Subject = null;
    }
}
