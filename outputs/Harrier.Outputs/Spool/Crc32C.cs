using System.Buffers.Binary;
using System.Numerics;

namespace Harrier.Outputs.Spool;

/// <summary>CRC-32C (Castagnoli) over spans, hardware-accelerated where the CPU has it.</summary>
internal static class Crc32C
{
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
