namespace Harrier.Engine.Enforcement;

/// <summary>
/// A compiled policy: the map, the key and the value bytes exactly as <c>policy_maps.h</c> lays them out.
/// Immutable after compilation.
/// </summary>
/// <param name="Table">The target map.</param>
/// <param name="Key">Key bytes (inode_key 16, net_key 24, uid 4, cgroup id 8).</param>
/// <param name="Value">struct policy_entry (8 bytes).</param>
/// <param name="Source">The policy it came from.</param>
public sealed record PolicyEntry(PolicyTable Table, byte[] Key, byte[] Value, EnforcementPolicy Source)
{
    /// <summary>Key size of each map.</summary>
    public static int KeySize(PolicyTable table) => table switch
    {
        PolicyTable.Inode => 16,
        PolicyTable.Net => 24,
        PolicyTable.Uid => 4,
        PolicyTable.Cgroup => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(table)),
    };

    /// <summary>sizeof(struct policy_entry).</summary>
    public const int ValueSize = 8;
}
