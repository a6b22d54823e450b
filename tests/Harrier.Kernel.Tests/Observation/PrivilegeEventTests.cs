using System.Net;
using System.Net.Sockets;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Observation;

[Collection(ProbeCollection.Name)]
public sealed class PrivilegeEventTests
{
    private readonly ProbeFixture _fx;

    public PrivilegeEventTests(ProbeFixture fx) => _fx = fx;

    [KernelFact]
    public void Dup2_SocketOntoStdout_FlaggedAsSocket()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int pid = _fx.RunTrigger("dup-socket", "127.0.0.1", port.ToString());
        var e = _fx.WaitFor<PrivilegeEvent>(pid, e => e.Type is EventType.Dup2 or EventType.Dup3 && e.Target2 == 1 && e.Comm == "trigger");
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.True(e.FdIsSocket, e.FdName);
        Assert.Equal(2, e.FdSocketFamily);
        Assert.Equal(port, e.FdRemote.Port);
        Assert.Equal(IPAddress.Loopback, e.FdRemote.ToIPAddress());
        Assert.Equal($"127.0.0.1:{e.FdLocal.Port}->127.0.0.1:{port}", e.FdName);
        Assert.Equal(1, e.Res);
    }

    [KernelFact]
    public void Dup3_File_PathOfOldFd()
    {
        int pid = _fx.RunTrigger("dup-file", "/etc/hostname");
        var e = _fx.WaitFor<PrivilegeEvent>(pid, e => e.Type == EventType.Dup3);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.False(e.FdIsSocket);
        Assert.Equal(ProcessEventTests.RealPath("/etc/hostname"), e.FdName);
        Assert.Equal(9, e.Target2);
        Assert.Equal(0x80000, e.Flags);
    }

    [KernelFact]
    public void SetuidSetresgid_IdsAndResult()
    {
        int p1 = _fx.RunTrigger("setuid", "1001");
        int p2 = _fx.RunTrigger("-u", "65534", "setuid", "0");
        int p3 = _fx.RunTrigger("setresgid", "77");
        var e1 = _fx.WaitFor<PrivilegeEvent>(p1, e => e.Type == EventType.Setuid && e.Id0 == 1001);
        Assert.True(e1 is not null, _fx.Describe(p1));
        Assert.Equal(0, e1.Res);
        var e2 = _fx.WaitFor<PrivilegeEvent>(p2, e => e.Type == EventType.Setuid && e.Id0 == 0);
        Assert.True(e2 is not null, _fx.Describe(p2));
        Assert.Equal(-1, e2.Res); // EPERM
        var e3 = _fx.WaitFor<PrivilegeEvent>(p3, e => e.Type == EventType.Setresgid);
        Assert.True(e3 is not null, _fx.Describe(p3));
        Assert.Equal(-1, e3.Id0);
        Assert.Equal(77, e3.Id1);
        Assert.Equal(-1, e3.Id2);
    }

    [KernelFact]
    public void MemfdUnshareBpfDeleteModule_Captured()
    {
        int p1 = _fx.RunTrigger("memfd", "payload");
        int p2 = _fx.RunTrigger("unshare");
        int p3 = _fx.RunTrigger("bpf");
        int p4 = _fx.RunTrigger("delete-module", "harrier_no_such_module");
        var m = _fx.WaitFor<PrivilegeEvent>(p1, e => e.Type == EventType.MemfdCreate);
        Assert.True(m is not null, _fx.Describe(p1));
        Assert.Equal("payload", m.Name);
        Assert.True(m.Res >= 0);
        var u = _fx.WaitFor<PrivilegeEvent>(p2, e => e.Type == EventType.Unshare);
        Assert.True(u is not null, _fx.Describe(p2));
        Assert.Equal(0x04000000, u.Flags); // CLONE_NEWUTS
        var b = _fx.WaitFor<PrivilegeEvent>(p3, e => e.Type == EventType.Bpf);
        Assert.True(b is not null, _fx.Describe(p3));
        Assert.Equal(1234, b.Request);
        Assert.True(b.Res < 0);
        var d = _fx.WaitFor<PrivilegeEvent>(p4, e => e.Type == EventType.DeleteModule);
        Assert.True(d is not null, _fx.Describe(p4));
        Assert.Equal("harrier_no_such_module", d.Name);
        Assert.True(d.Res < 0); // ENOENT, or ENOSYS on kernels without module support
    }

    [KernelFact]
    public void MountFailure_SourceTargetFsType()
    {
        int pid = _fx.RunTrigger("mount", "none", "/nonexistent-harrier", "tmpfs");
        var e = _fx.WaitFor<PrivilegeEvent>(pid, e => e.Type == EventType.Mount);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal("none", e.Name);
        Assert.Equal("/nonexistent-harrier", e.TargetPath);
        Assert.Equal("tmpfs", e.FsType);
        Assert.Equal(-2, e.Res);
        Assert.Equal(1, e.Flags & 1); // MS_RDONLY
    }

    [KernelFact]
    public void Capset_MasksCaptured()
    {
        int pid = _fx.RunTrigger("capset");
        var e = _fx.WaitFor<PrivilegeEvent>(pid, e => e.Type == EventType.Capset);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(0, e.Res);
        Assert.Equal(0, e.Target2 & 2); // CAP_DAC_OVERRIDE dropped from effective
        Assert.NotEqual(0UL, e.CapPermitted & 2);
    }
}
