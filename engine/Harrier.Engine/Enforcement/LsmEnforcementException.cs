namespace Harrier.Engine.Enforcement;

/// <summary>The BPF LSM enforcer could not start or apply policy; the message says why and what to do.</summary>
public sealed class LsmEnforcementException : Exception
{
    public LsmEnforcementException(string message, int errno = 0)
        : base(message) => Errno = errno;

    public LsmEnforcementException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The positive errno of the failing call, 0 when not a syscall failure.</summary>
    public int Errno { get; }
}
