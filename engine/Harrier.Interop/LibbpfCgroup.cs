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

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_link__open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint LinkOpenNative(string path);

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_link__update_program", SetLastError = true)]
    private static partial int LinkUpdateProgramNative(nint link, nint prog);

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_link_detach", SetLastError = true)]
    private static partial int LinkDetachNative(int linkFd);

    [LibraryImport(Libc, EntryPoint = "open_by_handle_at", SetLastError = true)]
    private static partial int OpenByHandleAtNative(int mountFd, byte* handle, int flags);

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_map__type")]
    private static partial int MapTypeNative(nint map);

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_map__key_size")]
    private static partial uint MapKeySizeNative(nint map);

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_map__map_flags")]
    private static partial uint MapFlagsNative(nint map);

    [LibraryImport(Libbpf.Library, EntryPoint = "bpf_obj_get_info_by_fd", SetLastError = true)]
    private static partial int ObjGetInfoByFdNative(int fd, void* info, uint* infoLen);

    [LibraryImport(Libc, EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatNative(string path, byte* buf);

    /// <summary>
    /// Detaches the pinned link at <paramref name="path"/> from its cgroup now (BPF_LINK_DETACH), rather than when the
    /// last reference goes away: removing a pin only drops a reference, and the kernel frees the link later on a work
    /// queue. Returns 0 or -errno (a link type without detach gives -EOPNOTSUPP).
    /// </summary>
    public static int DetachPinnedLink(string path)
    {
        int fd = LibbpfLsm.ObjGet(path);
        if (fd < 0)
        {
            return fd;
        }

        try
        {
            return LinkDetachNative(fd) == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
        finally
        {
            Syscalls.Close(fd);
        }
    }

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
            int rc = LibbpfLsm.MapNextKey(mapFd, key, next); // no key yet: the first key
            if (rc < 0)
            {
                return rc == -2 ? keys : throw new BpfException("bpf_map_get_next_key", -rc);
            }

            keys.Add(next);
            key = next;
        }

        return keys;
    }

    /// <summary>open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC); a negative errno on failure.</summary>
    public static int OpenDirectory(string path)
    {
        int fd = LibbpfLsm.OpenNative(path, ORdonly | ODirectory | OCloexec);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Opens the cgroup v2 directory whose id is <paramref name="cgroupId"/> (the id BPF programs read from
    /// <c>task->cgroups->dfl_cgrp->kn->id</c>) through a kernfs file handle on the cgroup2 mount
    /// <paramref name="mountFd"/> (open_by_handle_at, needs CAP_DAC_READ_SEARCH). Works after every process of the
    /// cgroup has exited, as long as the cgroup exists. An fd the caller closes, or -errno (ESTALE: no such cgroup).
    /// </summary>
    public static int OpenCgroupById(int mountFd, ulong cgroupId)
    {
        const int FileIdKernfs = 0xfe;
        byte* handle = stackalloc byte[16]; // struct file_handle { u32 handle_bytes; int handle_type; u8 f_handle[8]; }
        *(uint*)handle = 8;
        *(int*)(handle + 4) = FileIdKernfs;
        *(ulong*)(handle + 8) = cgroupId;
        int fd = OpenByHandleAtNative(mountFd, handle, ORdonly | ODirectory | OCloexec);
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

    /// <summary>Opens a pinned BPF link (bpf_link__open); the handle's disposal closes the fd only (the pin keeps it).</summary>
    /// <returns>The handle, or null with <paramref name="error"/> = -errno.</returns>
    public static BpfLinkHandle? OpenPinnedLink(string path, out int error)
    {
        nint link = LinkOpenNative(path);
        if (link == 0)
        {
            error = LibbpfLsm.Errno();
            return null;
        }

        error = 0;
        return new BpfLinkHandle(link);
    }

    /// <summary>Atomically replaces the program a link runs (BPF_LINK_UPDATE). 0 or -errno (ENOLINK: the link is defunct).</summary>
    public static int UpdateLinkProgram(BpfLinkHandle link, nint prog) => LibbpfLsm.Result(LinkUpdateProgramNative(link.DangerousGetHandle(), prog));

    /// <summary>Pins a link at <paramref name="path"/> on bpffs. 0 or -errno.</summary>
    public static int PinLink(BpfLinkHandle link, string path) => LibbpfLsm.LinkPin(link.DangerousGetHandle(), path);

    /// <summary>Sets the path libbpf reuses a compatible pinned map from (or pins the new map at) during load. 0 or -errno.</summary>
    public static int SetMapPinPath(nint map, string path) => LibbpfLsm.MapSetPinPath(map, path);

    /// <summary>The definition of an opened object's map: type, key size, value size, max entries, flags.</summary>
    public static (uint Type, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags) MapDefinition(nint map) =>
        ((uint)MapTypeNative(map), MapKeySizeNative(map), Libbpf.bpf_map__value_size(map), Libbpf.bpf_map__max_entries(map), MapFlagsNative(map));

    /// <summary>
    /// The definition of a pinned map (from bpf_map_info: type, key size, value size, max entries, flags), or null
    /// when nothing usable is pinned at <paramref name="path"/> (absent, not a map, unreadable).
    /// </summary>
    public static (uint Type, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags)? PinnedMapDefinition(string path)
    {
        int fd = LibbpfLsm.ObjGet(path);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            byte* info = stackalloc byte[256];
            new Span<byte>(info, 256).Clear();
            uint len = 256;
            if (ObjGetInfoByFdNative(fd, info, &len) != 0 || len < 24)
            {
                return null;
            }

            // struct bpf_map_info: type, id, key_size, value_size, max_entries, map_flags (u32 each)
            var u = (uint*)info;
            return (u[0], u[2], u[3], u[4], u[5]);
        }
        finally
        {
            Syscalls.Close(fd);
        }
    }
}
