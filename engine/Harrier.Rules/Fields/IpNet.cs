namespace Harrier.Rules.Fields;

/// <summary>A network in CIDR notation (<c>10.0.0.0/8</c>, <c>fd00::/8</c>); a bare address is a /32 or /128.</summary>
internal readonly record struct IpNet(bool V6, UInt128 Network, int PrefixBits)
{
    public static bool TryParse(string text, out IpNet net)
    {
        net = default;
        var slash = text.IndexOf('/');
        var addrText = slash < 0 ? text : text[..slash];
        if (!IpValue.TryParse(addrText, out var ip))
        {
            return false;
        }

        int width = ip.V6 ? 128 : 32;
        int bits = width;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out bits) || bits < 0 || bits > width))
        {
            return false;
        }

        net = new IpNet(ip.V6, ip.Address & Mask(bits, width), bits);
        return true;
    }

    public bool Contains(IpValue ip)
    {
        if (ip.V6 != V6)
        {
            return false;
        }

        int width = V6 ? 128 : 32;
        return (ip.Address & Mask(PrefixBits, width)) == Network;
    }

    private static UInt128 Mask(int bits, int width)
    {
        if (bits == 0)
        {
            return UInt128.Zero;
        }

        UInt128 all = width == 128 ? UInt128.MaxValue : (UInt128)uint.MaxValue;
        return (all << (width - bits)) & all;
    }
}
