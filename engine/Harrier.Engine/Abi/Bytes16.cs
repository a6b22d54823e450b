using System.Runtime.CompilerServices;

namespace Harrier.Engine.Abi;

/// <summary>A fixed 16-byte array (comm, IPv6 address) inside ABI structs.</summary>
[InlineArray(16)]
internal struct Bytes16
{
    private byte _e0;
}
