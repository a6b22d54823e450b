namespace Harrier.Seccomp.Profiles;

/// <summary>One <c>syscalls:</c> entry of a profile: these syscalls get this action. Immutable.</summary>
public sealed record SeccompRule
{
    /// <summary>x86_64 syscall names, validated against <see cref="SyscallTable"/>.</summary>
    public required IReadOnlyList<string> Names { get; init; }

    public required SeccompAction Action { get; init; }

    /// <summary>The errno for <see cref="SeccompAction.Errno"/> (default EPERM), or the trace message data; null otherwise.</summary>
    public int? Errno { get; init; }

    /// <summary>The 1-based line of the entry in its source file, 0 when built in code.</summary>
    public int Line { get; init; }
}
