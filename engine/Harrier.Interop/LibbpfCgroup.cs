using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Harrier.Interop.Bpf;

namespace Harrier.Interop;

/// <summary>
/// What the cgroup network enforcer needs beyond <see cref="Libbpf"/>: attaching a program to a cgroup v2
/// directory (a BPF link, so several programs can share the cgroup), deleting map elements, opening a
/// directory fd and reading a directory's inode (the cgroup id on cgroup v2). Thread-safe (plain syscalls).
/// </summary>
internal static unsafe partial class LibbpfCgroup
{
    private const string Libc = "libc";
    private const int ORdonly = 0, ODirectory = 0x10000, OCloexec = 0x80000;

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_program__attach_cgroup", SetLastError = true)]
    private static partial nint AttachCgroupNative(nint prog, int cgroupFd);

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_map_delete_elem", SetLastError = true)]
    private static partial int MapDeleteElemNative(int fd, void* key);

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_map_update_elem", SetLastError = true)]
    private static partial int MapUpdateElemNative(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_map_get_next_key", SetLastError = true)]
    private static partial int MapGetNextKeyNative(int fd, void* key, void* nextKey);

    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatNative(string path, byte* buf);

    /// <summary>Attaches a loaded cgroup program to the cgroup behind <paramref name="cgroupFd"/>.</summary>
    /// <exception cref="BpfException">The kernel refused (no cgroup v2, missing CAP_NET_ADMIN/CAP_BPF...).</exception>
    public static BpfLinkHandle AttachCgroup(nint prog, int cgroupFd)
    {
        nint link = AttachCgroupNative(prog, cgroupFd);
        if (link == 0)
        {
            throw new BpfException($"bpf_program__attach_cgroup({Libbpf.ProgramName(prog)})", Marshal.GetLastPInvokeError());
        }

        return new BpfLinkHandle(link);
    }

    /// <summary>Creates or replaces one element; key and value are raw bytes of the map's layouts.</summary>
    /// <exception cref="BpfException">Map full (E2BIG/ENOMEM) or a layout mismatch (EINVAL).</exception>
    public static void Update(int mapFd, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            if (MapUpdateElemNative(mapFd, k, v, 0) < 0)
            {
                throw new BpfException("bpf_map_update_elem", Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>Deletes one element; false when it was not there (ENOENT).</summary>
    /// <exception cref="BpfException">Any other failure.</exception>
    public static bool Delete(int mapFd, ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            if (MapDeleteElemNative(mapFd, k) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            return errno == 2 ? false : throw new BpfException("bpf_map_delete_elem", errno);
        }
    }

    /// <summary>
    /// Every key of a map (up to <paramref name="limit"/>), read with bpf_map_get_next_key from the first. Keys are
    /// collected before the caller deletes any: deleting while walking restarts a hash map's walk.
    /// </summary>
    /// <exception cref="BpfException">The kernel refused the walk (other than ENOENT at the end).</exception>
    public static List<byte[]> Keys(int mapFd, int keySize, int limit = 1_000_000)
    {
        var keys = new List<byte[]>();
        byte[]? key = null;
        while (keys.Count < limit)
        {
            var next = new byte[keySize];
            int rc;
            fixed (byte* k = key)
            fixed (byte* n = next)
            {
                rc = MapGetNextKeyNative(mapFd, k, n); // null (no key yet): the first key
            }

            if (rc < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno == 2 ? keys : throw new BpfException("bpf_map_get_next_key", errno);
            }

            keys.Add(next);
            key = next;
        }

        return keys;
    }

    /// <summary>open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC); a negative errno on failure.</summary>
    public static int OpenDirectory(string path)
    {
        int fd = OpenNative(path, ORdonly | ODirectory | OCloexec);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>The inode number of a path (st_ino); on cgroup v2 a cgroup directory's inode is its cgroup id.</summary>
    public static bool TryGetInode(string path, out ulong inode)
    {
        byte* buf = stackalloc byte[256]; // struct stat is 144 bytes on x86_64
        if (StatNative(path, buf) != 0)
        {
            inode = 0;
            return false;
        }

        inode = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(buf + 8, 8));
        return true;
    }
}
