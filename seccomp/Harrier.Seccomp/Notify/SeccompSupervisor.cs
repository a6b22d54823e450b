using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Harrier.Events;
using Harrier.Interop;
using Harrier.Seccomp.Filters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Seccomp.Notify;

/// <summary>
/// Answers the user notifications of one seccomp listener fd: receives each (SECCOMP_IOCTL_NOTIF_RECV), decodes
/// it into a Harrier event, re-checks that the caller is still waiting (SECCOMP_IOCTL_NOTIF_ID_VALID, so a
/// recycled pid cannot be confused with it), asks the decision callback, and answers (SECCOMP_IOCTL_NOTIF_SEND)
/// with CONTINUE or an errno. A callback that throws denies with EPERM (fail closed) and is counted.
/// <para>Runs on one dedicated thread until every task using the filter has exited (the fd hangs up), the
/// token is cancelled, or the object is disposed; after that the kernel fails pending and future notified calls
/// with ENOSYS. The callback runs on the supervisor thread, one notification at a time; it gets a fresh event
/// it may keep. Owns the listener fd.</para>
/// </summary>
public sealed partial class SeccompSupervisor : IDisposable
{
    private readonly Func<HarrierEvent, SeccompDecision> _decide;
    private readonly NotificationDecoder _decoder;
    private readonly ILogger _logger;
    private readonly int _notifSize;
    private readonly int _respSize;
    private int _fd;

    /// <param name="listenerFd">The fd returned by seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER); owned from now on.</param>
    /// <param name="decide">Called once per notification with the decoded event.</param>
    public SeccompSupervisor(int listenerFd, Func<HarrierEvent, SeccompDecision> decide, TimeProvider? time = null, ILogger? logger = null, string procRoot = "/proc")
    {
        ArgumentNullException.ThrowIfNull(decide);
        ArgumentOutOfRangeException.ThrowIfNegative(listenerFd);
        _fd = listenerFd;
        _decide = decide;
        _decoder = new NotificationDecoder(procRoot, time ?? TimeProvider.System);
        _logger = logger ?? NullLogger.Instance;
        (_notifSize, _respSize) = KernelSizes();
    }

    /// <summary>
    /// The kernel writes sizeof(struct seccomp_notif) bytes on RECV and reads sizeof(struct seccomp_notif_resp) on
    /// SEND: ask it (SECCOMP_GET_NOTIF_SIZES) so a kernel with larger structs can never write past our buffers.
    /// </summary>
    private static (int Notif, int Resp) KernelSizes()
    {
        Span<byte> sizes = stackalloc byte[6];
        sizes.Clear();
        if (Syscalls.Seccomp(SeccompConstants.GetNotifSizes, 0, sizes) != 0)
        {
            return (SeccompConstants.NotifSize, SeccompConstants.NotifRespSize);
        }

        int notif = BinaryPrimitives.ReadUInt16LittleEndian(sizes);
        int resp = BinaryPrimitives.ReadUInt16LittleEndian(sizes[2..]);
        if (notif < SeccompConstants.NotifSize || resp < SeccompConstants.NotifRespSize || notif > 1024 || resp > 1024)
        {
            throw new NotSupportedException($"unexpected seccomp notification sizes from the kernel: notif {notif}, resp {resp}");
        }

        return (notif, resp);
    }

    public SeccompSupervisorStats Stats { get; } = new();

    /// <summary>Starts the loop on a dedicated thread; the task completes when the listener hangs up or on cancellation.</summary>
    public Task RunAsync(CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Run(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The loop, on the calling thread. Polls every 100 ms to notice cancellation.</summary>
    public void Run(CancellationToken cancellationToken)
    {
        Span<byte> notif = stackalloc byte[_notifSize];
        Span<byte> resp = stackalloc byte[_respSize];
        while (!cancellationToken.IsCancellationRequested)
        {
            int fd = Volatile.Read(ref _fd);
            if (fd < 0)
            {
                return;
            }

            int rc = Syscalls.Poll(fd, Syscalls.PollIn, 100, out short revents);
            if (rc < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Syscalls.EINTR)
                {
                    continue;
                }

                LogPollFailed(_logger, errno);
                return;
            }

            if (rc == 0)
            {
                continue;
            }

            if ((revents & Syscalls.PollIn) == 0)
            {
                // POLLHUP: no task uses the filter any more.
                LogListenerClosed(_logger, Stats.Received);
                return;
            }

            notif.Clear();
            if (Syscalls.Ioctl(fd, SeccompConstants.IoctlNotifRecv, notif) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is Syscalls.ENOENT or Syscalls.EINTR or Syscalls.EAGAIN)
                {
                    // ENOENT: the caller was killed or interrupted between poll and recv.
                    Interlocked.Increment(ref Stats._stale);
                    continue;
                }

                LogReceiveFailed(_logger, errno);
                return;
            }

            Interlocked.Increment(ref Stats._received);
            var n = SeccompNotification.Parse(notif);
            Handle(fd, n, resp);
        }
    }

    private void Handle(int fd, in SeccompNotification n, Span<byte> resp)
    {
        var ev = _decoder.Decode(n);

        // The pid in the notification may have died and been reused while we read /proc: only trust what we
        // read if the notification is still pending afterwards.
        if (Syscalls.Ioctl(fd, SeccompConstants.IoctlNotifIdValid, n.Id) < 0)
        {
            Interlocked.Increment(ref Stats._stale);
            return;
        }

        SeccompDecision decision;
        try
        {
            decision = _decide(ev);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref Stats._callbackFailures);
            LogCallbackFailed(_logger, e, n.Tid, ev.Type.ToString());
            decision = SeccompDecision.Deny(1, "callback-failure");
        }

        resp.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(resp, n.Id);
        if (decision.Allow)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(resp[20..], SeccompConstants.UserNotifFlagContinue);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(resp[16..], -decision.Errno);
        }

        if (Syscalls.Ioctl(fd, SeccompConstants.IoctlNotifSend, resp) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Syscalls.ENOENT)
            {
                Interlocked.Increment(ref Stats._stale);
            }
            else
            {
                Interlocked.Increment(ref Stats._sendFailures);
                LogSendFailed(_logger, errno, n.Tid);
            }

            return;
        }

        if (decision.Allow)
        {
            Interlocked.Increment(ref Stats._allowed);
        }
        else
        {
            Interlocked.Increment(ref Stats._denied);
        }
    }

    /// <summary>Closes the listener: tasks still under the filter get ENOSYS for notified calls from now on.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Syscalls.Close(fd);
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "seccomp listener closed after {Received} notifications")]
    private static partial void LogListenerClosed(ILogger logger, long received);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "seccomp listener poll failed: errno {Errno}")]
    private static partial void LogPollFailed(ILogger logger, int errno);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "SECCOMP_IOCTL_NOTIF_RECV failed: errno {Errno}")]
    private static partial void LogReceiveFailed(ILogger logger, int errno);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "seccomp decision callback failed for tid {Tid} ({Type}); denied with EPERM")]
    private static partial void LogCallbackFailed(ILogger logger, Exception e, int tid, string type);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "SECCOMP_IOCTL_NOTIF_SEND failed: errno {Errno} (tid {Tid})")]
    private static partial void LogSendFailed(ILogger logger, int errno, int tid);
}
