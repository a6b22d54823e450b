namespace Harrier.Seccomp.Notify;

/// <summary>The answer to one user notification: let the syscall run (SECCOMP_USER_NOTIF_FLAG_CONTINUE) or fail it with an errno.</summary>
public readonly record struct SeccompDecision(bool Allow, int Errno, string? Policy = null)
{
    /// <summary>Run the syscall as the workload issued it. Not a security boundary for pointer arguments (see seccomp/README.md).</summary>
    public static SeccompDecision Continue { get; } = new(true, 0);

    /// <summary>Fail the syscall with <paramref name="errno"/> (default EPERM); <paramref name="policy"/> names the rule, for the record.</summary>
    public static SeccompDecision Deny(int errno = 1, string? policy = null) =>
        new(false, errno is >= 1 and <= 4095 ? errno : throw new ArgumentOutOfRangeException(nameof(errno), errno, "errno must be 1..4095"), policy);
}
