using System.Runtime.InteropServices;

namespace Harrier.Engine.Abi;

/// <summary>Mirror of <c>struct evt_sockaddr</c>: a kernel socket endpoint. 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EvtSockaddr
{
    public ushort Family;
    public ushort Port;
    public uint Pad;
    public Bytes16 Addr;
}
