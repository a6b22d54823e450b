using System.Runtime.CompilerServices;

namespace Harrier.Engine.Abi;

/// <summary><c>__u64 args[6]</c>.</summary>
[InlineArray(6)]
internal struct UInt64x6
{
    private ulong _e0;
}
