using System.Net;
using System.Net.Sockets;

namespace Harrier.Events;

/// <summary>A decoded socket address: IPv4 (mapped into the low 4 bytes), IPv6, or a unix path.</summary>
public readonly record struct SockAddress(AddressFamily Family, UInt128 Address, ushort Port, string? UnixPath)
{
    public bool IsSet => Family != AddressFamily.Unspecified;

    /// <summary>The IP address, or null for unix and unset addresses. Allocates.</summary>
    public IPAddress? ToIPAddress()
    {
        switch (Family)
        {
            case AddressFamily.InterNetwork:
                Span<byte> v4 = stackalloc byte[4];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)Address);
                return new IPAddress(v4);
            case AddressFamily.InterNetworkV6:
                Span<byte> v6 = stackalloc byte[16];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(v6, Address);
                return new IPAddress(v6);
            default:
                return null;
        }
    }

    /// <summary>Builds an address from an <see cref="IPAddress"/> (tests, synthetic streams).</summary>
    public static SockAddress FromIP(IPAddress ip, ushort port)
    {
        Span<byte> b = stackalloc byte[16];
        ip.TryWriteBytes(b, out int n);
        return n == 4
            ? new SockAddress(AddressFamily.InterNetwork, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b), port, null)
            : new SockAddress(AddressFamily.InterNetworkV6, System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(b), port, null);
    }

    public override string ToString() => Family switch
    {
        AddressFamily.Unix => UnixPath ?? string.Empty,
        AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 => $"{ToIPAddress()}:{Port}",
        _ => string.Empty,
    };
}
