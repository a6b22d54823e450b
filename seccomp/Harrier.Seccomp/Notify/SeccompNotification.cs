using System.Buffers.Binary;

namespace Harrier.Seccomp.Notify;

/// <summary>
/// A decoded <c>struct seccomp_notif</c>: the notification id, the calling thread (in the supervisor's pid
/// namespace) and its <c>struct seccomp_data</c>. Pointer arguments refer to the caller's memory.
/// </summary>
internal readonly record struct SeccompNotification(ulong Id, int Tid, uint Flags, int Nr, uint Arch, ulong InstructionPointer, ulong Arg0, ulong Arg1, ulong Arg2, ulong Arg3, ulong Arg4, ulong Arg5)
{
    /// <summary>Parses the 80-byte kernel layout.</summary>
    public static SeccompNotification Parse(ReadOnlySpan<byte> b) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(b),
        (int)BinaryPrimitives.ReadUInt32LittleEndian(b[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[12..]),
        BinaryPrimitives.ReadInt32LittleEndian(b[16..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[20..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[24..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[40..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[48..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[56..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[64..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[72..]));

    public ulong Arg(int i) => i switch
    {
        0 => Arg0,
        1 => Arg1,
        2 => Arg2,
        3 => Arg3,
        4 => Arg4,
        5 => Arg5,
        _ => throw new ArgumentOutOfRangeException(nameof(i)),
    };
}
