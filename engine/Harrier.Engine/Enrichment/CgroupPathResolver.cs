using Harrier.Engine.Enforcement;
using Harrier.Interop;
using Microsoft.Win32.SafeHandles;

namespace Harrier.Engine.Enrichment;

/// <summary>
/// The cgroup v2 path of a cgroup id, for processes whose <c>/proc/PID/cgroup</c> is gone by the time enrichment looks
/// (a short-lived command in a container exits before its exec event is read): the kernel event carries the cgroup
/// id, and the cgroup directory is opened by id on the cgroup2 mount (a kernfs file handle) and its path read back.
/// Results are cached (bounded). Single-threaded, like the process table that owns it.
/// </summary>
internal sealed class CgroupPathResolver : IDisposable
{
    private const int MaxCached = 4096;
    private readonly SafeFileHandle _mount;
    private readonly string _mountPoint;
    private readonly Dictionary<ulong, string> _cache = new();

    private CgroupPathResolver(SafeFileHandle mount, string mountPoint)
    {
        _mount = mount;
        _mountPoint = mountPoint.TrimEnd('/');
    }

    /// <summary>Lookups answered by opening the cgroup (cache misses), and those that found nothing.</summary>
    public long Lookups { get; private set; }

    public long Misses { get; private set; }

    /// <summary>A resolver on the host's cgroup2 mount, or null when there is none (or it cannot be opened).</summary>
    public static CgroupPathResolver? OpenHost(string? mountPoint = null)
    {
        mountPoint ??= CgroupPaths.FindCgroup2Mount();
        if (mountPoint is null)
        {
            return null;
        }

        int fd = LibbpfCgroup.OpenDirectory(mountPoint);
        return fd < 0 ? null : new CgroupPathResolver(new SafeFileHandle(fd, ownsHandle: true), mountPoint);
    }

    /// <summary>The path below the cgroup2 root (as <c>/proc/PID/cgroup</c> shows it, e.g. <c>/docker-ID.scope</c>), or
    /// null when the cgroup no longer exists or the lookup is refused.</summary>
    public string? PathOf(ulong cgroupId)
    {
        if (cgroupId == 0)
        {
            return null;
        }

        if (_cache.TryGetValue(cgroupId, out string? known))
        {
            return known;
        }

        Lookups++;
        int fd = LibbpfCgroup.OpenCgroupById((int)_mount.DangerousGetHandle(), cgroupId);
        if (fd < 0)
        {
            Misses++;
            return null;
        }

        string? target;
        try
        {
            target = new FileInfo("/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            target = null;
        }
        finally
        {
            Syscalls.Close(fd);
        }

        if (target is null || !target.StartsWith(_mountPoint, StringComparison.Ordinal))
        {
            Misses++;
            return null;
        }

        string path = target.Length == _mountPoint.Length ? "/" : target[_mountPoint.Length..];
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[cgroupId] = path;
        return path;
    }

    public void Dispose() => _mount.Dispose();
}
