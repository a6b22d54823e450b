namespace Harrier.Events;

/// <summary>socket, connect, accept/accept4, bind, listen, sendto/sendmsg.</summary>
public sealed class NetworkEvent : HarrierEvent
{
    public override EventClass Class => EventClass.Network;

    /// <summary>The socket fd the call used (accept: the new fd is <see cref="HarrierEvent.Res"/>).</summary>
    public int Fd { get; set; } = -1;

    /// <summary>socket(): domain, type and protocol as passed; other calls: the socket's, where known.</summary>
    public int Domain { get; set; }

    public int SockType { get; set; }

    public int Protocol { get; set; }

    /// <summary>Client (local for connect, remote for accept) and server endpoints, as Falco's fd.cip/fd.sip.</summary>
    public SockAddress Local { get; set; }

    public SockAddress Remote { get; set; }

    /// <summary>listen: backlog.</summary>
    public int Backlog { get; set; }

    /// <summary>sendto/sendmsg: bytes requested.</summary>
    public long Size { get; set; }

    /// <summary>sendto/sendmsg: the kernel socket had a peer (connect()ed) when the call was made.</summary>
    public bool SocketConnected { get; set; }

    /// <summary>sendto/sendmsg (set by enrichment): the destination differs from the last one this fd sent to or
    /// connected to, so the fd's name (its tuple) changed with this call (Falco's <c>fd.name_changed</c>).</summary>
    public bool NameChanged { get; set; }

    public override void Reset()
    {
        base.Reset();
        Fd = -1;
        Domain = SockType = Protocol = 0;
        Local = default;
        Remote = default;
        Backlog = 0;
        Size = 0;
        SocketConnected = false;
        NameChanged = false;
    }
}
