using System.Runtime.InteropServices;

namespace Harrier.Interop;

/// <summary>
/// Socket calls for <c>harrier bench enforce</c>: tight connect loops whose per-call cost is compared with and without
/// the cgroup/LSM connect programs attached. Every method is a plain syscall sequence and thread-safe; failures are
/// returned as a negative errno, never thrown.
/// </summary>
internal static unsafe partial class BenchSyscalls
{
    private const int AfInet = 2;
    private const int SockStream = 1;
    private const int SockDgram = 2;
    private const int SockNonblock = 0x800;
    private const int SockCloexec = 0x80000;

    /// <summary>ECONNREFUSED, the expected outcome of a TCP connect to a closed loopback port.</summary>
    public const int EConnRefused = 111;

    /// <summary>EINPROGRESS: a nonblocking TCP connect still pending.</summary>
    public const int EInProgress = 115;

    /// <summary>EPERM: what a matching deny entry returns.</summary>
    public const int EPerm = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrIn
    {
        public ushort Family;
        public ushort PortBe;
        public uint AddrBe;
        public ulong Zero;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketNative(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int ConnectNative(int fd, SockAddrIn* addr, uint len);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    private static SockAddrIn Address(uint ipv4HostOrder, ushort port) => new()
    {
        Family = AfInet,
        PortBe = (ushort)((port >> 8) | (port << 8)),
        AddrBe = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(ipv4HostOrder),
    };

    /// <summary>A UDP IPv4 socket (close-on-exec), or a negative errno.</summary>
    public static int OpenUdp4()
    {
        int fd = SocketNative(AfInet, SockDgram | SockCloexec, 0);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Closes a descriptor opened by <see cref="OpenUdp4"/>.</summary>
    public static void Close(int fd) => CloseNative(fd);

    /// <summary>
    /// Calls connect(2) on UDP socket <paramref name="fd"/> to <paramref name="ipv4HostOrder"/>:<paramref name="port"/>
    /// <paramref name="iterations"/> times (a connected UDP socket may be connected again; each call runs the
    /// cgroup/connect4 and LSM socket_connect hooks once). Returns how many calls failed and the last errno.
    /// </summary>
    public static long UdpConnectLoop(int fd, uint ipv4HostOrder, ushort port, long iterations, out int lastErrno)
    {
        var addr = Address(ipv4HostOrder, port);
        long failures = 0;
        lastErrno = 0;
        for (long i = 0; i < iterations; i++)
        {
            if (ConnectNative(fd, &addr, (uint)sizeof(SockAddrIn)) != 0)
            {
                failures++;
                lastErrno = Marshal.GetLastPInvokeError();
            }
        }

        return failures;
    }

    /// <summary>
    /// socket + nonblocking connect + close, <paramref name="iterations"/> times, to a TCP port nobody listens on.
    /// Returns how many connects ended other than ECONNREFUSED/EINPROGRESS (or a socket could not be created) and the
    /// last such errno.
    /// </summary>
    public static long TcpRefusedLoop(uint ipv4HostOrder, ushort port, long iterations, out int lastErrno)
    {
        var addr = Address(ipv4HostOrder, port);
        long failures = 0;
        lastErrno = 0;
        for (long i = 0; i < iterations; i++)
        {
            int fd = SocketNative(AfInet, SockStream | SockNonblock | SockCloexec, 0);
            if (fd < 0)
            {
                failures++;
                lastErrno = Marshal.GetLastPInvokeError();
                continue;
            }

            if (ConnectNative(fd, &addr, (uint)sizeof(SockAddrIn)) != 0)
            {
                int e = Marshal.GetLastPInvokeError();
                if (e is not EConnRefused and not EInProgress)
                {
                    failures++;
                    lastErrno = e;
                }
            }

            CloseNative(fd);
        }

        return failures;
    }
}
