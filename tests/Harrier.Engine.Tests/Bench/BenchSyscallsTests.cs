using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Harrier.Interop;

namespace Harrier.Engine.Tests.Bench;

/// <summary>
/// The syscall loops of <c>harrier bench enforce</c> (no root needed). The seccomp case guards the property the bench
/// relies on: a filter installed for a measurement applies to that one thread, never to the rest of the process.
/// </summary>
public sealed class BenchSyscallsTests
{
    private static readonly byte[] DevNull = Encoding.ASCII.GetBytes("/dev/null\0");

    /// <summary>ld [nr]; jeq openat → ret ERRNO(EPERM), else ret ALLOW (x86_64 numbering).</summary>
    private static byte[] DenyOpenatFilter()
    {
        var f = new byte[4 * 8];
        void Insn(int i, ushort code, byte jt, byte jf, uint k)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(i * 8), code);
            f[(i * 8) + 2] = jt;
            f[(i * 8) + 3] = jf;
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan((i * 8) + 4), k);
        }

        Insn(0, 0x20, 0, 0, 0);            // BPF_LD | BPF_W | BPF_ABS, seccomp_data.nr
        Insn(1, 0x15, 0, 1, 257);          // BPF_JMP | BPF_JEQ | BPF_K, __NR_openat
        Insn(2, 0x06, 0, 0, 0x00050001);   // SECCOMP_RET_ERRNO | EPERM
        Insn(3, 0x06, 0, 0, 0x7fff0000);   // SECCOMP_RET_ALLOW
        return f;
    }

    [X64LinuxFact]
    public void InstallThreadSeccompFilter_DenyOpenat_AffectsOnlyThatThread()
    {
        int rc = -1;
        long failures = -1;
        int errno = 0;
        var t = new Thread(() =>
        {
            rc = BenchSyscalls.InstallThreadSeccompFilter(DenyOpenatFilter());
            failures = BenchSyscalls.OpenCloseLoop(DevNull, 3, out errno);
        });
        t.Start();
        t.Join();

        Assert.Equal(0, rc);
        Assert.Equal(3, failures);
        Assert.Equal(1, errno); // EPERM from the filter
        Assert.Equal(0, BenchSyscalls.OpenCloseLoop(DevNull, 3, out _)); // this thread is unfiltered
    }

    [X64LinuxFact]
    public void InstallThreadSeccompFilter_MalformedProgram_ReturnsEinvalWithoutInstalling()
    {
        Assert.Equal(-22, BenchSyscalls.InstallThreadSeccompFilter(new byte[7]));
        Assert.Equal(-22, BenchSyscalls.InstallThreadSeccompFilter([]));
    }

    [X64LinuxFact]
    public void OpenCloseLoop_PathWithoutNul_Throws() =>
        Assert.Throws<ArgumentException>(() => BenchSyscalls.OpenCloseLoop("/dev/null"u8, 1, out _));

    [X64LinuxFact]
    public void OpenCloseLoop_MissingFile_CountsFailuresWithErrno()
    {
        var path = Encoding.ASCII.GetBytes($"/nonexistent-{Guid.NewGuid():N}\0");
        Assert.Equal(4, BenchSyscalls.OpenCloseLoop(path, 4, out int errno));
        Assert.Equal(2, errno); // ENOENT
    }

    [X64LinuxFact]
    public void UdpConnectLoop_Loopback_EveryCallSucceeds()
    {
        int fd = BenchSyscalls.OpenUdp4();
        Assert.True(fd >= 0, $"socket failed: errno {-fd}");
        try
        {
            Assert.Equal(0, BenchSyscalls.UdpConnectLoop(fd, 0x7F000001, 53, 100, out int errno));
            Assert.Equal(0, errno);
        }
        finally
        {
            BenchSyscalls.Close(fd);
        }
    }

    [X64LinuxFact]
    public void TcpRefusedLoop_ClosedPort_RefusedCountsAsExpected()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        ushort port = (ushort)((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        Assert.Equal(0, BenchSyscalls.TcpRefusedLoop(0x7F000001, port, 50, out _));
    }

    [X64LinuxFact]
    public void ThreadCpuNs_BusyLoop_Advances()
    {
        long before = BenchSyscalls.ThreadCpuNs();
        BenchSyscalls.OpenCloseLoop(DevNull, 2_000, out _);
        Assert.True(BenchSyscalls.ThreadCpuNs() > before);
    }

    /// <summary>Runs only on x86_64 Linux (syscall numbers and the filter are x86_64's).</summary>
    private sealed class X64LinuxFactAttribute : FactAttribute
    {
        public X64LinuxFactAttribute()
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            {
                Skip = "needs x86_64 Linux";
            }
        }
    }
}
