using System.Runtime.InteropServices;

namespace Harrier.Interop;

/// <summary>
/// The libbpf 1.x and libc calls the BPF LSM enforcer needs: open an object from memory, pin maps and
/// links, set autoload, read and write map elements, object info and ids, and stat(2). libbpf 1.x
/// returns NULL (pointers) or a negative errno (ints) on failure and sets errno; the wrappers return a
/// negative errno. Handles (<c>nint</c>) are owned by the caller. All methods are thread-safe as libbpf's
/// are (one object must not be used from two threads at once).
/// </summary>
internal static unsafe partial class LibbpfLsm
{
    private const string Lib = "libbpf.so.1";
    private const string Libc = "libc";

    [LibraryImport(Lib, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    private static partial nint ObjectOpenMemNative(void* buf, nuint size, void* opts);

    [LibraryImport(Lib, EntryPoint = "bpf_object__load", SetLastError = true)]
    private static partial int ObjectLoadNative(nint obj);

    [LibraryImport(Lib, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint obj);

    [LibraryImport(Lib, EntryPoint = "bpf_object__next_map")]
    public static partial nint ObjectNextMap(nint obj, nint prev);

    [LibraryImport(Lib, EntryPoint = "bpf_object__next_program")]
    public static partial nint ObjectNextProgram(nint obj, nint prev);

    [LibraryImport(Lib, EntryPoint = "bpf_map__name")]
    private static partial nint MapNameNative(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(Lib, EntryPoint = "bpf_map__set_pin_path", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MapSetPinPathNative(nint map, string path);

    [LibraryImport(Lib, EntryPoint = "bpf_program__name")]
    private static partial nint ProgramNameNative(nint prog);

    [LibraryImport(Lib, EntryPoint = "bpf_program__set_autoload", SetLastError = true)]
    private static partial int ProgramSetAutoloadNative(nint prog, [MarshalAs(UnmanagedType.U1)] bool autoload);

    [LibraryImport(Lib, EntryPoint = "bpf_program__fd")]
    public static partial int ProgramFd(nint prog);

    [LibraryImport(Lib, EntryPoint = "bpf_program__attach", SetLastError = true)]
    private static partial nint ProgramAttachNative(nint prog);

    [LibraryImport(Lib, EntryPoint = "bpf_link__pin", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LinkPinNative(nint link, string path);

    [LibraryImport(Lib, EntryPoint = "bpf_link__fd")]
    public static partial int LinkFd(nint link);

    [LibraryImport(Lib, EntryPoint = "bpf_link__destroy")]
    public static partial int LinkDestroy(nint link);

    [LibraryImport(Lib, EntryPoint = "bpf_obj_get", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int ObjGetNative(string path);

    [LibraryImport(Lib, EntryPoint = "bpf_obj_get_info_by_fd", SetLastError = true)]
    private static partial int ObjGetInfoByFdNative(int fd, void* info, uint* infoLen);

    [LibraryImport(Lib, EntryPoint = "bpf_map_update_elem", SetLastError = true)]
    private static partial int MapUpdateElemNative(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Lib, EntryPoint = "bpf_map_lookup_elem", SetLastError = true)]
    private static partial int MapLookupElemNative(int fd, void* key, void* value);

    [LibraryImport(Lib, EntryPoint = "bpf_map_delete_elem", SetLastError = true)]
    private static partial int MapDeleteElemNative(int fd, void* key);

    [LibraryImport(Lib, EntryPoint = "bpf_map_get_next_key", SetLastError = true)]
    private static partial int MapGetNextKeyNative(int fd, void* key, void* nextKey);

    [LibraryImport(Libc, EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatNative(string path, byte* buf);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>open(2) without a mode: an fd, or -1 with errno set (the cgroup enforcer opens its directories with it too).</summary>
    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int OpenNative(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "fstat", SetLastError = true)]
    private static partial int FstatNative(int fd, byte* buf);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall4(nint nr, nint a0, nint a1, nint a2, nint a3);

    /// <summary>The last P/Invoke errno as -errno (-EINVAL when libbpf left none).</summary>
    internal static int Errno()
    {
        int e = Marshal.GetLastPInvokeError();
        return e == 0 ? -22 : -e;
    }

    /// <summary>A libbpf 1.x int result as 0/positive or -errno (it is -errno already, or -1 with errno set).</summary>
    internal static int Result(int rc) => rc < 0 ? (rc == -1 ? Errno() : rc) : rc;

    /// <summary>Opens a BPF object from an ELF image. Returns the object handle, or 0 with <paramref name="error"/> = -errno.</summary>
    public static nint ObjectOpenMem(ReadOnlySpan<byte> elf, out int error)
    {
        fixed (byte* p = elf)
        {
            nint obj = ObjectOpenMemNative(p, (nuint)elf.Length, null);
            error = obj == 0 ? Errno() : 0;
            return obj;
        }
    }

    /// <summary>Creates (or reuses pinned) maps and loads autoload programs. 0 or -errno.</summary>
    public static int ObjectLoad(nint obj) => Result(ObjectLoadNative(obj));

    public static string MapName(nint map) => Marshal.PtrToStringUTF8(MapNameNative(map)) ?? string.Empty;

    public static string ProgramName(nint prog) => Marshal.PtrToStringUTF8(ProgramNameNative(prog)) ?? string.Empty;

    /// <summary>Sets the pin path libbpf reuses (when pinned and compatible) or pins to at load. 0 or -errno.</summary>
    public static int MapSetPinPath(nint map, string path) => Result(MapSetPinPathNative(map, path));

    public static int ProgramSetAutoload(nint prog, bool autoload) => Result(ProgramSetAutoloadNative(prog, autoload));

    /// <summary>Attaches a program by its section (lsm/...). Returns the link handle, or 0 with -errno.</summary>
    public static nint ProgramAttach(nint prog, out int error)
    {
        nint link = ProgramAttachNative(prog);
        error = link == 0 ? Errno() : 0;
        return link;
    }

    public static int LinkPin(nint link, string path) => Result(LinkPinNative(link, path));

    /// <summary>Opens a pinned object. Returns an fd the caller closes, or -errno.</summary>
    public static int ObjGet(string path) => Result(ObjGetNative(path));

    /// <summary>The kernel id of a BPF object fd (offset 4 of bpf_prog_info, bpf_map_info and bpf_link_info).</summary>
    public static int ObjectId(int fd, out uint id)
    {
        byte* info = stackalloc byte[256];
        new Span<byte>(info, 256).Clear();
        uint len = 256;
        int rc = Result(ObjGetInfoByFdNative(fd, info, &len));
        id = rc == 0 ? *(uint*)(info + 4) : 0;
        return rc;
    }

    /// <summary>The program id a link fd is attached with (offset 8 of bpf_link_info).</summary>
    public static int LinkProgramId(int fd, out uint progId)
    {
        byte* info = stackalloc byte[256];
        new Span<byte>(info, 256).Clear();
        uint len = 256;
        int rc = Result(ObjGetInfoByFdNative(fd, info, &len));
        progId = rc == 0 ? *(uint*)(info + 8) : 0;
        return rc;
    }

    public static int MapUpdate(int fd, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags = 0)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            return Result(MapUpdateElemNative(fd, k, v, flags));
        }
    }

    public static int MapLookup(int fd, ReadOnlySpan<byte> key, Span<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            return Result(MapLookupElemNative(fd, k, v));
        }
    }

    public static int MapDelete(int fd, ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            return Result(MapDeleteElemNative(fd, k));
        }
    }

    /// <summary>Next key after <paramref name="key"/> (empty span: the first key). 0, or -ENOENT at the end.</summary>
    public static int MapNextKey(int fd, ReadOnlySpan<byte> key, Span<byte> next)
    {
        fixed (byte* k = key)
        fixed (byte* n = next)
        {
            return Result(MapGetNextKeyNative(fd, key.IsEmpty ? null : k, n));
        }
    }

    /// <summary>stat(2) following symlinks: user-space st_dev, st_ino and st_mode. 0 or -errno.</summary>
    public static int Stat(string path, out ulong dev, out ulong ino, out uint mode)
    {
        byte* st = stackalloc byte[256];
        return StatFields(Result(StatNative(path, st)), st, out dev, out ino, out mode);
    }

    /// <summary>st_dev, st_ino and st_mode of an x86_64 struct stat filled by a call that returned <paramref name="rc"/>.</summary>
    private static int StatFields(int rc, byte* st, out ulong dev, out ulong ino, out uint mode)
    {
        dev = rc == 0 ? *(ulong*)st : 0;
        ino = rc == 0 ? *(ulong*)(st + 8) : 0;
        mode = rc == 0 ? *(uint*)(st + 24) : 0;
        return rc;
    }

    /// <summary>
    /// Like <see cref="Stat"/>, but resolves <paramref name="path"/> with <paramref name="root"/> as "/" (openat2 with
    /// RESOLVE_IN_ROOT, then fstat): absolute symlinks met on the way stay inside <paramref name="root"/> too, so with
    /// <c>/proc/1/root</c> as the root the path names the file that init, and so the kernel's view of the host, sees.
    /// 0 or -errno (-ENOSYS before Linux 5.6).
    /// </summary>
    public static int StatInRoot(string root, string path, out ulong dev, out ulong ino, out uint mode)
    {
        const int OPath = 0x200000, ODirectory = 0x10000, OCloexec = 0x80000;
        const ulong ResolveNoMagicLinks = 0x02, ResolveInRoot = 0x10;
        const int SysOpenat2 = 437; // x86_64
        dev = ino = 0;
        mode = 0;
        int rootFd = OpenNative(root, OPath | ODirectory | OCloexec);
        if (rootFd < 0)
        {
            return Errno();
        }

        try
        {
            int length = System.Text.Encoding.UTF8.GetByteCount(path);
            Span<byte> utf8 = length < 4096 ? stackalloc byte[length + 1] : new byte[length + 1];
            System.Text.Encoding.UTF8.GetBytes(path, utf8);
            utf8[length] = 0;
            ulong* how = stackalloc ulong[3];
            how[0] = OPath | OCloexec; // open_how.flags
            how[1] = 0; // mode
            how[2] = ResolveInRoot | ResolveNoMagicLinks;
            int fd;
            fixed (byte* p = utf8)
            {
                fd = (int)Syscall4(SysOpenat2, rootFd, (nint)p, (nint)how, 24);
            }

            if (fd < 0)
            {
                return Errno();
            }

            try
            {
                byte* st = stackalloc byte[256];
                return StatFields(Result(FstatNative(fd, st)), st, out dev, out ino, out mode);
            }
            finally
            {
                Close(fd);
            }
        }
        finally
        {
            Close(rootFd);
        }
    }
}
