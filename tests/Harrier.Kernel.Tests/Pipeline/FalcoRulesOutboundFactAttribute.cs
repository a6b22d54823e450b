using System.Net;
using System.Net.Sockets;

namespace Harrier.Kernel.Tests.Pipeline;

/// <summary>
/// A <see cref="FalcoRulesFactAttribute"/> that also needs a route to the documentation network 203.0.113.0/24
/// (TEST-NET-3, never answered): a non-blocking connect there must get EINPROGRESS, as an outbound connection's
/// first step does. Skipped, with the reason, on a machine without a default route.
/// </summary>
public sealed class FalcoRulesOutboundFactAttribute : FactAttribute
{
    public static readonly IPAddress Unanswered = IPAddress.Parse("203.0.113.77");

    public FalcoRulesOutboundFactAttribute()
    {
        Skip = new FalcoRulesFactAttribute().Skip ?? (Routed() ? null : $"no route to {Unanswered} (no default route on this machine)");
    }

    private static bool Routed()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        try
        {
            s.Connect(new IPEndPoint(Unanswered, 443));
            return true;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress;
        }
    }
}
