using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Harrier.Engine.Abi;

/// <summary>
/// Mirror of <c>struct evt_record</c>, the fixed part (224 bytes) of every record; the string area follows.
/// The C anonymous union of <c>aux[8]</c> and <c>net</c> is <see cref="Aux"/>; read it as
/// <see cref="EvtNetInfo"/> with <see cref="Net"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EvtRecord
{
    public EvtHdr Hdr;
    public EvtTask Task;
    public long Ret;
    public UInt64x6 Args;
    public UInt64x8 Aux;
    public UInt16x6 StrOff;
    public UInt16x6 StrLen;
    public ushort StrTrunc;
    public ushort AbiVersion;
    public uint Pad;

    /// <summary>The union read as socket information.</summary>
    public readonly EvtNetInfo Net => Unsafe.As<UInt64x8, EvtNetInfo>(ref Unsafe.AsRef(in Aux));
}
