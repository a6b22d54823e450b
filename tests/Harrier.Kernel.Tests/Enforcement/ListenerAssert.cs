using System.Net.Sockets;

namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>Checks on a listener that a child process connected to.</summary>
internal static class ListenerAssert
{
    /// <summary>
    /// True once a connection waits in the accept queue. connect() returns when the SYN-ACK is in; the listener queues the
    /// connection when it processes the final ACK, which a loaded machine may defer to ksoftirqd, so a single poll right
    /// after the client returned can miss it. Waits (bounded) for the connection instead.
    /// </summary>
    public static bool Accepted(TcpListener listener) => listener.Server.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead);
}
