using System.Buffers.Binary;
using System.Net.Sockets;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// Byte layouts of <c>struct cg_key4</c>/<c>cg_key6</c> and <c>struct cg_entry</c> (lsm-hooks/include/cgroup_net_maps.h):
/// prefixlen u32, op u8, pad u8, port[2] big endian, cgroup_id u64, addr[4|16]; prefixlen = 96 + CIDR bits.
/// </summary>
internal static class CgroupNetKeys
{
    public const int FixedBits = 96;
    public const int Key4Size = 20;
    public const int Key6Size = 32;
    public const int EntrySize = 8;
    public const uint FlagMonitor = 1;

    /// <summary>The LPM key for a rule; validates the prefix against the address family.</summary>
    /// <exception cref="ArgumentException">An unsupported family.</exception>
    public static byte[] Key(CgroupDenyRule rule)
    {
        var net = rule.Network;
        bool v4 = net.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        if (!v4 && net.BaseAddress.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"unsupported address family {net.BaseAddress.AddressFamily}", nameof(rule));
        }

        var key = new byte[v4 ? Key4Size : Key6Size];
        BinaryPrimitives.WriteUInt32LittleEndian(key, (uint)(FixedBits + net.PrefixLength));
        key[4] = (byte)rule.Operation;
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(6), rule.Port);
        BinaryPrimitives.WriteUInt64LittleEndian(key.AsSpan(8), rule.CgroupId);
        net.BaseAddress.TryWriteBytes(key.AsSpan(16), out _);
        return key;
    }

    public static byte[] Entry(CgroupDenyRule rule)
    {
        var value = new byte[EntrySize];
        BinaryPrimitives.WriteUInt32LittleEndian(value, rule.RuleId);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(4), rule.Monitor ? FlagMonitor : 0);
        return value;
    }
}
