using System.Runtime.InteropServices;

namespace Harrier.Engine.Abi;

/// <summary>Mirror of <c>struct harrier_config</c> (section <c>.rodata.config</c>), written before load. 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ProbeConfig
{
    public uint SelfTgid;
    public uint MaxArgs;
    public uint MaxArgBytes;
    public uint Pad;
    public ulong WakeupBytes;
    public ulong ShedBytes;
}
