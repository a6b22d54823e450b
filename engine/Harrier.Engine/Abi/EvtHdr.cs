using System.Runtime.InteropServices;

namespace Harrier.Engine.Abi;

/// <summary>Mirror of <c>struct evt_hdr</c> (probes/include/abi/events.h). 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EvtHdr
{
    public ushort Op;
    public ushort Flags;
    public uint Size;
    public ulong KTime;
    public uint Tgid;
    public uint Tid;
}
