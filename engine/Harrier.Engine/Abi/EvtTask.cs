using System.Runtime.InteropServices;

namespace Harrier.Engine.Abi;

/// <summary>Mirror of <c>struct evt_task</c>: the caller's context. 48 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EvtTask
{
    public uint Ppid;
    public uint Uid;
    public uint Gid;
    public uint LoginUid;
    public ulong CgroupId;
    public ulong StartNs;
    public Bytes16 Comm;
}
