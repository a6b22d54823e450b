using System.Net;
using System.Net.Sockets;
using Harrier.Events;

namespace Harrier.Rules.Fields;

/// <summary>An IP address as a value (IPv4 held in the low 32 bits). No allocation to compare.</summary>
internal readonly record struct IpValue(bool V6, UInt128 Address)
{
    public static IpValue? From(SockAddress a) => a.Family switch
    {
        AddressFamily.InterNetwork => new IpValue(false, a.Address),
        AddressFamily.InterNetworkV6 => new IpValue(true, a.Address),
        _ => null,
    };

    public static bool TryParse(string text, out IpValue ip)
    {
        if (IPAddress.TryParse(text, out var addr))
        {
            var sa = SockAddress.FromIP(addr, 0);
            ip = new IpValue(sa.Family == AddressFamily.InterNetworkV6, sa.Address);
            return true;
        }

        ip = default;
        return false;
    }

    public override string ToString()
        => new SockAddress(V6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, Address, 0, null).ToIPAddress()?.ToString() ?? string.Empty;
}
