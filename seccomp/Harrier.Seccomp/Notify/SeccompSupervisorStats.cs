namespace Harrier.Seccomp.Notify;

/// <summary>Counters of one supervisor, readable from any thread while it runs.</summary>
public sealed class SeccompSupervisorStats
{
    internal long _received;
    internal long _allowed;
    internal long _denied;
    internal long _stale;
    internal long _callbackFailures;
    internal long _sendFailures;

    /// <summary>Notifications received from the kernel.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Answered with SECCOMP_USER_NOTIF_FLAG_CONTINUE.</summary>
    public long Allowed => Interlocked.Read(ref _allowed);

    /// <summary>Answered with an errno (including fail-closed denials after a callback exception).</summary>
    public long Denied => Interlocked.Read(ref _denied);

    /// <summary>The caller died (or was interrupted) before it could be answered.</summary>
    public long Stale => Interlocked.Read(ref _stale);

    /// <summary>The decision callback threw; the syscall was denied with EPERM.</summary>
    public long CallbackFailures => Interlocked.Read(ref _callbackFailures);

    /// <summary>SECCOMP_IOCTL_NOTIF_SEND failed for a reason other than a vanished caller.</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);
}
