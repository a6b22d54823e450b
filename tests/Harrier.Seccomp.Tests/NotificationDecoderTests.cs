using System.Net;
using System.Net.Sockets;
using Harrier.Seccomp.Notify;

namespace Harrier.Seccomp.Tests;

public class NotificationDecoderTests
{
    [Fact]
    public void ParseSockaddr_Inet_ReadsAddressAndPort()
    {
        byte[] sa = [2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        var a = NotificationDecoder.ParseSockaddr(sa);
        Assert.Equal(AddressFamily.InterNetwork, a.Family);
        Assert.Equal(8080, a.Port);
        Assert.Equal(IPAddress.Loopback, a.ToIPAddress());
    }

    [Fact]
    public void ParseSockaddr_Inet6_ReadsAddressAndPort()
    {
        var sa = new byte[28];
        sa[0] = 10;
        sa[2] = 0x01;
        sa[3] = 0xbb;
        sa[23] = 1; // ::1
        var a = NotificationDecoder.ParseSockaddr(sa);
        Assert.Equal(AddressFamily.InterNetworkV6, a.Family);
        Assert.Equal(443, a.Port);
        Assert.Equal(IPAddress.IPv6Loopback, a.ToIPAddress());
    }

    [Fact]
    public void ParseSockaddr_UnixPathAndAbstract()
    {
        byte[] path = [1, 0, .. "/run/x.sock"u8, 0, 0xff];
        Assert.Equal("/run/x.sock", NotificationDecoder.ParseSockaddr(path).UnixPath);
        byte[] abs = [1, 0, 0, .. "name"u8];
        Assert.Equal("@name", NotificationDecoder.ParseSockaddr(abs).UnixPath);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 2 })]
    [InlineData(new byte[] { 2, 0, 1, 2 })]
    [InlineData(new byte[] { 10, 0, 1, 2, 3, 4, 5, 6 })]
    [InlineData(new byte[] { 99, 0, 1, 2, 3, 4, 5, 6 })]
    public void ParseSockaddr_ShortOrUnknown_ReturnsUnset(byte[] sa)
    {
        Assert.False(NotificationDecoder.ParseSockaddr(sa).IsSet);
    }

    [Fact]
    public void SeccompNotification_Parse_ReadsKernelLayout()
    {
        var b = new byte[80];
        BitConverter.TryWriteBytes(b.AsSpan(0), 0x1122334455667788UL);
        BitConverter.TryWriteBytes(b.AsSpan(8), 4242);
        BitConverter.TryWriteBytes(b.AsSpan(16), 42);
        BitConverter.TryWriteBytes(b.AsSpan(20), 0xC000003Eu);
        BitConverter.TryWriteBytes(b.AsSpan(32), 3UL);
        BitConverter.TryWriteBytes(b.AsSpan(72), 99UL);
        var n = SeccompNotification.Parse(b);
        Assert.Equal(0x1122334455667788UL, n.Id);
        Assert.Equal(4242, n.Tid);
        Assert.Equal(42, n.Nr);
        Assert.Equal(0xC000003Eu, n.Arch);
        Assert.Equal(3UL, n.Arg0);
        Assert.Equal(99UL, n.Arg5);
    }

    [Fact]
    public void SeccompDecision_Deny_RejectsOutOfRangeErrno()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SeccompDecision.Deny(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SeccompDecision.Deny(5000));
        Assert.Equal(13, SeccompDecision.Deny(13).Errno);
        Assert.True(SeccompDecision.Continue.Allow);
    }
}
