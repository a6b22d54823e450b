using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Observation;

[Collection(ProbeCollection.Name)]
public sealed class NetworkEventTests
{
    private readonly ProbeFixture _fx;

    public NetworkEventTests(ProbeFixture fx) => _fx = fx;

    [KernelFact]
    public void Connect_Tcp4Loopback_RemoteAndLocalEndpoints()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int pid = _fx.RunTrigger("tcp-connect", "127.0.0.1", port.ToString());
        var sock = _fx.WaitFor<NetworkEvent>(pid, e => e.Type == EventType.Socket);
        Assert.True(sock is not null, _fx.Describe(pid));
        Assert.Equal(2, sock.Domain);
        Assert.Equal(1, sock.SockType & 0xf);
        var e = _fx.WaitFor<NetworkEvent>(pid, e => e.Type == EventType.Connect);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(0, e.Res);
        Assert.Equal(IPAddress.Loopback, e.Remote.ToIPAddress());
        Assert.Equal(port, e.Remote.Port);
        Assert.Equal(IPAddress.Loopback, e.Local.ToIPAddress());
        Assert.NotEqual(0, e.Local.Port);
    }

    [KernelFact]
    public void Connect_Tcp6Refused_EconnrefusedWithAddress()
    {
        int pid = _fx.RunTrigger("tcp-connect6", "::1", "9");
        var e = _fx.WaitFor<NetworkEvent>(pid, e => e.Type == EventType.Connect);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(-111, e.Res); // ECONNREFUSED
        Assert.Equal(AddressFamily.InterNetworkV6, e.Remote.Family);
        Assert.Equal(IPAddress.IPv6Loopback, e.Remote.ToIPAddress());
        Assert.Equal(9, e.Remote.Port);
    }

    [KernelFact]
    public void BindListenAccept_Server_EndpointsOfAcceptedSocket()
    {
        int port = FreePort();
        var psi = new ProcessStartInfo(_fx.Trigger, ["tcp-server", "127.0.0.1", port.ToString()]) { RedirectStandardOutput = true };
        using var server = Process.Start(psi)!;
        Assert.Equal("listening", server.StandardOutput.ReadLine());
        using (var client = new TcpClient())
        {
            client.Connect(IPAddress.Loopback, port);
            server.WaitForExit();
            var bind = _fx.WaitFor<NetworkEvent>(server.Id, e => e.Type == EventType.Bind);
            Assert.True(bind is not null, _fx.Describe(server.Id));
            Assert.Equal(port, bind.Local.Port);
            var listen = _fx.WaitFor<NetworkEvent>(server.Id, e => e.Type == EventType.Listen);
            Assert.True(listen is not null, _fx.Describe(server.Id));
            Assert.Equal(7, listen.Backlog);
            var accept = _fx.WaitFor<NetworkEvent>(server.Id, e => e.Type == EventType.Accept4);
            Assert.True(accept is not null, _fx.Describe(server.Id));
            Assert.True(accept.Res >= 0);
            Assert.Equal(port, accept.Local.Port);
            Assert.Equal(((IPEndPoint)client.Client.LocalEndPoint!).Port, accept.Remote.Port);
            Assert.Equal(IPAddress.Loopback, accept.Remote.ToIPAddress());
        }
    }

    [KernelFact]
    public void SendtoUdp_DestinationCaptured()
    {
        int pid = _fx.RunTrigger("udp-sendto", "127.0.0.1", "5353");
        var e = _fx.WaitFor<NetworkEvent>(pid, e => e.Type == EventType.Sendto);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(5353, e.Remote.Port);
        Assert.Equal(1, e.Size);
    }

    [KernelFact]
    public void ConnectUnix_PathCaptured()
    {
        int pid = _fx.RunTrigger("unix-connect", "/run/harrier-test-missing.sock");
        var e = _fx.WaitFor<NetworkEvent>(pid, e => e.Type == EventType.Connect);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(AddressFamily.Unix, e.Remote.Family);
        Assert.Equal("/run/harrier-test-missing.sock", e.Remote.UnixPath);
        Assert.Equal(-2, e.Res);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
