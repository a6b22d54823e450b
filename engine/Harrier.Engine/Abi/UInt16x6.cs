using System.Runtime.CompilerServices;

namespace Harrier.Engine.Abi;

/// <summary><c>__u16 str_off[6]</c> / <c>str_len[6]</c>.</summary>
[InlineArray(6)]
internal struct UInt16x6
{
    private ushort _e0;
}
