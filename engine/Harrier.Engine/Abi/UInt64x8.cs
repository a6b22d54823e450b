using System.Runtime.CompilerServices;

namespace Harrier.Engine.Abi;

/// <summary><c>__u64 aux[8]</c> (shares its bytes with <see cref="EvtNetInfo"/>).</summary>
[InlineArray(8)]
internal struct UInt64x8
{
    private ulong _e0;
}
