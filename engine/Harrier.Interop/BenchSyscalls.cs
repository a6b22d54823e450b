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

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int OpenNative(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGettime(int clock, long* ts);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint a2, nuint a3, nuint a4, nuint a5);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall3(nint nr, nint a0, nint a1, nint a2);

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFprog
    {
        public ushort Len;
        public void* Filter;
    }

    private const int ClockThreadCputimeId = 3;
    private const int PrSetNoNewPrivs = 38;
    private const nint SysSeccomp = 317; // x86_64
    private const int SeccompSetModeFilter = 1;
    private const int ORdOnlyCloexec = 0x80000;

    /// <summary>CPU time consumed by the calling thread (CLOCK_THREAD_CPUTIME_ID), in ns: unaffected by preemption.</summary>
    public static long ThreadCpuNs()
    {
        long* ts = stackalloc long[2];
        ClockGettime(ClockThreadCputimeId, ts);
        return ts[0] * 1_000_000_000L + ts[1];
    }

    /// <summary>
    /// open(<paramref name="nulTerminatedPath"/>, O_RDONLY|O_CLOEXEC) + close, <paramref name="iterations"/> times (2 syscalls
    /// each). Returns how many opens failed and the last errno.
    /// </summary>
    public static long OpenCloseLoop(ReadOnlySpan<byte> nulTerminatedPath, long iterations, out int lastErrno)
    {
        if (nulTerminatedPath.IsEmpty || nulTerminatedPath[^1] != 0)
        {
            throw new ArgumentException("the path must end with a NUL byte", nameof(nulTerminatedPath));
        }

        long failures = 0;
        lastErrno = 0;
        fixed (byte* p = nulTerminatedPath)
        {
            for (long i = 0; i < iterations; i++)
            {
                int fd = OpenNative(p, ORdOnlyCloexec);
                if (fd < 0)
                {
                    failures++;
                    lastErrno = Marshal.GetLastPInvokeError();
                }
                else
                {
                    CloseNative(fd);
                }
            }
        }

        return failures;
    }

    /// <summary>
    /// Installs a classic-BPF seccomp filter (<paramref name="filter"/> = <c>struct sock_filter[]</c>, 8 bytes each) on the
    /// CALLING THREAD ONLY (no TSYNC), after setting its no_new_privs. Irreversible for that thread: call it only on a
    /// dedicated thread that ends when the measurement is done. Returns 0 or a negative errno.
    /// </summary>
    public static int InstallThreadSeccompFilter(ReadOnlySpan<byte> filter)
    {
        if (filter.IsEmpty || filter.Length % 8 != 0 || filter.Length / 8 > ushort.MaxValue)
        {
            return -22; // EINVAL
        }

        if (Prctl(PrSetNoNewPrivs, 1, 0, 0, 0) != 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        fixed (byte* f = filter)
        {
            var prog = new SockFprog { Len = (ushort)(filter.Length / 8), Filter = f };
            return Syscall3(SysSeccomp, SeccompSetModeFilter, 0, (nint)(&prog)) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
    }

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

    private const nint SysBpf = 321; // x86_64
    private const int BpfProgLoad = 5;
    private const int BpfProgAttach = 8;
    private const int BpfProgDetach = 9;
    private const uint BpfProgTypeCgroupSockAddr = 18;
    private const uint BpfCgroupInet4Connect = 10;

    /// <summary>
    /// Loads the smallest possible cgroup/connect4 program (<c>r0 = 1; exit</c>: allow, no map access) with the raw
    /// bpf(2) syscall. It measures the kernel's fixed cost of running any connect4 program, so the benchmark can tell
    /// that apart from what Harrier's own program adds. Returns the program fd or a negative errno.
    /// </summary>
    public static int LoadNullConnect4Program()
    {
        ulong* insns = stackalloc ulong[2];
        insns[0] = 0xb7UL | (1UL << 32);   // BPF_ALU64 | BPF_MOV | BPF_K, dst r0, imm 1
        insns[1] = 0x95UL;                 // BPF_JMP | BPF_EXIT
        byte* license = stackalloc byte[4];
        license[0] = (byte)'G';
        license[1] = (byte)'P';
        license[2] = (byte)'L';
        license[3] = 0;
        byte* attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        *(uint*)(attr + 0) = BpfProgTypeCgroupSockAddr;
        *(uint*)(attr + 4) = 2;
        *(ulong*)(attr + 8) = (ulong)insns;
        *(ulong*)(attr + 16) = (ulong)license;
        *(uint*)(attr + 68) = BpfCgroupInet4Connect; // expected_attach_type
        nint fd = Syscall3(SysBpf, BpfProgLoad, (nint)attr, 128);
        return fd >= 0 ? (int)fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Attaches (true) or detaches (false) a connect4 program fd to/from a cgroup directory fd. Returns 0 or a negative errno.</summary>
    public static int SetConnect4Program(int cgroupFd, int programFd, bool attach)
    {
        byte* attr = stackalloc byte[32];
        new Span<byte>(attr, 32).Clear();
        *(uint*)(attr + 0) = (uint)cgroupFd;
        *(uint*)(attr + 4) = (uint)programFd;
        *(uint*)(attr + 8) = BpfCgroupInet4Connect;
        *(uint*)(attr + 12) = attach ? 2u : 0u; // BPF_F_ALLOW_MULTI: coexists with other programs on the cgroup
        return Syscall3(SysBpf, attach ? BpfProgAttach : BpfProgDetach, (nint)attr, 32) == 0 ? 0 : -Marshal.GetLastPInvokeError();
    }
}
