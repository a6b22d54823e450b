using Harrier.Interop;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// A file as the kernel's LSM hooks see it: the superblock device in kernel encoding
/// (<c>major &lt;&lt; 20 | minor</c>) and the inode number. Thread-safe.
/// </summary>
/// <param name="Dev">Kernel-encoded device (what <c>inode-&gt;i_sb-&gt;s_dev</c> holds).</param>
/// <param name="Ino">Inode number.</param>
/// <param name="IsDirectory">True for directories.</param>
public readonly record struct PolicyFileIdentity(uint Dev, ulong Ino, bool IsDirectory)
{
    /// <summary>Converts a user-space <c>st_dev</c> (glibc encoding) to the kernel's internal dev_t.</summary>
    public static uint KernelDev(ulong userDev)
    {
        ulong major = ((userDev >> 8) & 0xfff) | ((userDev >> 32) & ~0xfffUL);
        ulong minor = (userDev & 0xff) | ((userDev >> 12) & ~0xffUL);
        return (uint)((major << 20) | (minor & 0xfffff));
    }

    /// <summary>
    /// stat(2)s <paramref name="path"/> (following symlinks) as the host sees it: inside <paramref name="hostRoot"/>
    /// (<see cref="HostMountNamespace.HostRoot"/>, when Harrier runs in a mount namespace of its own) or, when that is
    /// null, directly. Null with <paramref name="errno"/> when it fails.
    /// </summary>
    public static PolicyFileIdentity? Resolve(string path, out int errno, string? hostRoot = null)
    {
        int rc = hostRoot is not null && path.StartsWith('/')
            ? LibbpfLsm.StatInRoot(hostRoot, path, out ulong dev, out ulong ino, out uint mode)
            : LibbpfLsm.Stat(path, out dev, out ino, out mode);
        errno = -rc;
        if (rc < 0)
        {
            return null;
        }
        return new PolicyFileIdentity(KernelDev(dev), ino, (mode & 0xF000) == 0x4000);
    }
}
