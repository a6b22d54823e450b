using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Harrier.Engine.Abi;
using Harrier.Events;

namespace Harrier.Engine.Decoding;

/// <summary>Decodes socket addresses: raw <c>struct sockaddr_*</c> bytes from user memory, and kernel endpoints. Stateless.</summary>
internal static class SockAddrParser
{
    private const ushort AfUnix = 1;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    /// <summary>Parses sockaddr_in / sockaddr_in6 / sockaddr_un bytes; default for anything else or short input.</summary>
    public static SockAddress ParseUser(ReadOnlySpan<byte> sa)
    {
        if (sa.Length < 2)
        {
            return default;
        }

        ushort family = BinaryPrimitives.ReadUInt16LittleEndian(sa);
        switch (family)
        {
            case AfInet when sa.Length >= 8:
                return new SockAddress(
                    AddressFamily.InterNetwork,
                    BinaryPrimitives.ReadUInt32BigEndian(sa[4..]),
                    BinaryPrimitives.ReadUInt16BigEndian(sa[2..]),
                    null);
            case AfInet6 when sa.Length >= 24:
                return new SockAddress(
                    AddressFamily.InterNetworkV6,
                    BinaryPrimitives.ReadUInt128BigEndian(sa[8..]),
                    BinaryPrimitives.ReadUInt16BigEndian(sa[2..]),
                    null);
            case AfUnix:
                var path = sa[2..];
                if (path.Length > 0 && path[0] == 0)
                {
                    // abstract socket: Falco shows it with a leading '@'
                    int end = path.Length;
                    return new SockAddress(AddressFamily.Unix, 0, 0, "@" + Encoding.UTF8.GetString(path[1..end]).TrimEnd('\0'));
                }

                int nul = path.IndexOf((byte)0);
                return new SockAddress(AddressFamily.Unix, 0, 0, Encoding.UTF8.GetString(nul >= 0 ? path[..nul] : path));
            default:
                return default;
        }
    }

    /// <summary>A kernel endpoint (family, host-order port, address bytes in network order).</summary>
    public static SockAddress FromKernel(in EvtSockaddr ep)
    {
        ReadOnlySpan<byte> addr = ep.Addr;
        return ep.Family switch
        {
            AfInet => new SockAddress(AddressFamily.InterNetwork, BinaryPrimitives.ReadUInt32BigEndian(addr), ep.Port, null),
            AfInet6 => new SockAddress(AddressFamily.InterNetworkV6, BinaryPrimitives.ReadUInt128BigEndian(addr), ep.Port, null),
            _ => default,
        };
    }
}
