using System.Runtime.InteropServices;

namespace Harrier.Interop;

/// <summary>
/// Raw Linux syscalls (libc wrappers) used by the seccomp supervisor: poll, ioctl on a seccomp listener fd,
/// close, and receiving an fd over a unix socket (SCM_RIGHTS). Every method is thread-safe (they are plain
/// syscalls); failures return -1 and the errno is read with <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static unsafe partial class Syscalls
{
    private const string Libc = "libc";

    public const short PollIn = 0x001;
    public const short PollErr = 0x008;
    public const short PollHup = 0x010;
    public const short PollNval = 0x020;

    public const int EINTR = 4;
    public const int ENOENT = 2;
    public const int EAGAIN = 11;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    private static partial int PollNative(PollFd* fds, nuint nfds, int timeoutMs);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlNative(int fd, nuint request, void* arg);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsgNative(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall3(nint nr, nint a0, nint a1, nint a2);

    /// <summary>poll(2) on one fd. Returns the poll result (0 on timeout) and the returned events.</summary>
    public static int Poll(int fd, short events, int timeoutMs, out short revents)
    {
        PollFd p = new() { Fd = fd, Events = events };
        int rc = PollNative(&p, 1, timeoutMs);
        revents = p.Revents;
        return rc;
    }

    /// <summary>ioctl(2) with a pointer to a caller-owned buffer (in/out).</summary>
    public static int Ioctl(int fd, uint request, Span<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            return IoctlNative(fd, request, b);
        }
    }

    /// <summary>ioctl(2) with a pointer to one 64-bit value.</summary>
    public static int Ioctl(int fd, uint request, ulong value)
    {
        return IoctlNative(fd, request, &value);
    }

    /// <summary>seccomp(2) with a pointer argument (e.g. SECCOMP_GET_NOTIF_SIZES).</summary>
    public static int Seccomp(uint operation, uint flags, Span<byte> args)
    {
        const int SysSeccomp = 317; // x86_64
        fixed (byte* a = args)
        {
            return (int)Syscall3(SysSeccomp, (nint)operation, (nint)flags, (nint)a);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    /// <summary>
    /// Receives one message of up to <paramref name="data"/>.Length bytes and at most one file descriptor passed
    /// with SCM_RIGHTS on the unix socket <paramref name="socketFd"/>. Returns the byte count (0 = peer closed)
    /// or -1 with errno set; <paramref name="receivedFd"/> is -1 when no descriptor came. Received descriptors
    /// are close-on-exec. Extra descriptors beyond the first are closed.
    /// </summary>
    public static int ReceiveFd(int socketFd, Span<byte> data, out int receivedFd)
    {
        const int MsgCmsgCloexec = 0x40000000;
        const int SolSocket = 1;
        const int ScmRights = 1;
        receivedFd = -1;
        // cmsghdr: size_t len; int level; int type; then data (aligned to 8). Room for 4 fds.
        byte* control = stackalloc byte[16 + 4 * sizeof(int)];
        new Span<byte>(control, 16 + 4 * sizeof(int)).Clear();
        fixed (byte* d = data)
        {
            IoVec iov = new() { Base = d, Len = (nuint)data.Length };
            MsgHdr msg = new() { Iov = &iov, IovLen = 1, Control = control, ControlLen = (nuint)(16 + 4 * sizeof(int)) };
            nint n = RecvMsgNative(socketFd, &msg, MsgCmsgCloexec);
            if (n < 0)
            {
                return -1;
            }

            if (msg.ControlLen >= 16)
            {
                nuint len = *(nuint*)control;
                int level = *(int*)(control + 8);
                int type = *(int*)(control + 12);
                if (level == SolSocket && type == ScmRights && len >= 20)
                {
                    int count = (int)((len - 16) / sizeof(int));
                    int* fds = (int*)(control + 16);
                    for (int i = 0; i < count; i++)
                    {
                        if (i == 0)
                        {
                            receivedFd = fds[0];
                        }
                        else
                        {
                            Close(fds[i]);
                        }
                    }
                }
            }

            return (int)n;
        }
    }
}
