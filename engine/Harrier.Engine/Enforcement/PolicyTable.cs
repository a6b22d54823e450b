namespace Harrier.Engine.Enforcement;

/// <summary>The policy map an entry lives in (the maps of <c>lsm-hooks/include/policy_maps.h</c>).</summary>
public enum PolicyTable
{
    /// <summary><c>pol_inode</c>: (dev, inode) of a file or directory.</summary>
    Inode,

    /// <summary><c>pol_net</c>: LPM trie of (family, port, address).</summary>
    Net,

    /// <summary><c>pol_uid</c>.</summary>
    Uid,

    /// <summary><c>pol_cgroup</c>.</summary>
    Cgroup,
}
