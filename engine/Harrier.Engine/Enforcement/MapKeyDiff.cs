namespace Harrier.Engine.Enforcement;

/// <summary>
/// The removal step of a reconcile: which keys a BPF map holds that the policy just written does not. Used after
/// the new entries are in place (so a key present in both the old and the new policy is never absent), for the
/// pinned BPF LSM policy maps (entries an earlier run or an earlier rule set left) and the cgroup deny maps.
/// Pure: no map access. Keys are compared byte for byte.
/// </summary>
internal static class MapKeyDiff
{
    /// <summary>
    /// The keys of <paramref name="present"/> (in their order) that are not in <paramref name="wanted"/> and that
    /// <paramref name="keepAlways"/> (given the value) does not protect.
    /// </summary>
    public static List<byte[]> Unwanted(IEnumerable<(byte[] Key, byte[] Value)> present, IEnumerable<byte[]> wanted, Func<byte[], bool>? keepAlways = null)
    {
        ArgumentNullException.ThrowIfNull(present);
        ArgumentNullException.ThrowIfNull(wanted);
        var keep = new HashSet<string>(wanted.Select(k => Convert.ToHexString(k)), StringComparer.Ordinal);
        var result = new List<byte[]>();
        foreach (var (key, value) in present)
        {
            if (!keep.Contains(Convert.ToHexString(key)) && keepAlways?.Invoke(value) != true)
            {
                result.Add(key);
            }
        }

        return result;
    }
}
