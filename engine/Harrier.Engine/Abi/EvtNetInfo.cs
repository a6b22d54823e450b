using System.Runtime.InteropServices;

namespace Harrier.Engine.Abi;

/// <summary>Mirror of <c>struct evt_net_info</c>: the kernel socket behind an fd. 64 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EvtNetInfo
{
    public EvtSockaddr Local;
    public EvtSockaddr Remote;
    public ushort Family;
    public ushort Type;
    public ushort Protocol;
    public ushort Pad;
    public ulong Ino;
}
