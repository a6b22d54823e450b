using Harrier.Interop;

namespace Harrier.Engine.Enforcement;

/// <summary>Locates the cgroup v2 hierarchy and maps cgroup directories to cgroup ids. Thread-safe.</summary>
internal static class CgroupPaths
{
    /// <summary>The mount point of the cgroup2 filesystem (<c>/sys/fs/cgroup</c> or <c>/sys/fs/cgroup/unified</c> on hybrid hosts), or null.</summary>
    public static string? FindCgroup2Mount(string mounts = "/proc/self/mounts")
    {
        try
        {
            foreach (var line in File.ReadLines(mounts))
            {
                var parts = line.Split(' ');
                if (parts.Length >= 3 && parts[2] == "cgroup2")
                {
                    return parts[1].Replace("\\040", " ", StringComparison.Ordinal);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    /// <summary>The cgroup id of a cgroup v2 directory (its kernfs inode number), or null when it cannot be read.</summary>
    public static ulong? CgroupId(string directory) =>
        LibbpfCgroup.TryGetInode(directory, out ulong id) ? id : null;
}
