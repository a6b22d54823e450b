using System.Runtime.InteropServices;

namespace Harrier.Interop.Bpf;

/// <summary>libbpf bindings, part: maps (bpf_map__*) and map syscalls by fd (bpf_map_*_elem).</summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library, EntryPoint = "bpf_map__set_max_entries")]
    internal static partial int bpf_map__set_max_entries(nint map, uint maxEntries);

    [LibraryImport(Library, EntryPoint = "bpf_map__max_entries")]
    internal static partial uint bpf_map__max_entries(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__fd")]
    internal static partial int bpf_map__fd(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__value_size")]
    internal static partial uint bpf_map__value_size(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__initial_value")]
    internal static partial void* bpf_map__initial_value(nint map, nuint* size);

    [LibraryImport(Library, EntryPoint = "bpf_map__set_initial_value")]
    internal static partial int bpf_map__set_initial_value(nint map, void* data, nuint size);

    [LibraryImport(Library, EntryPoint = "bpf_map_update_elem", SetLastError = true)]
    internal static partial int bpf_map_update_elem(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Library, EntryPoint = "bpf_map_lookup_elem", SetLastError = true)]
    internal static partial int bpf_map_lookup_elem(int fd, void* key, void* value);

    /// <summary>Finds a map of an opened object by name.</summary>
    /// <exception cref="BpfException">No such map (ENOENT).</exception>
    internal static nint FindMap(BpfObjectHandle obj, string name)
    {
        nint map = bpf_object__find_map_by_name(obj.DangerousGetHandle(), name);
        if (map == 0)
        {
            throw new BpfException($"bpf_object__find_map_by_name({name})", 2);
        }

        return map;
    }

    /// <summary>Sets a map's size before load.</summary>
    internal static void SetMaxEntries(nint map, uint entries)
    {
        int rc = bpf_map__set_max_entries(map, entries);
        if (rc < 0)
        {
            throw new BpfException("bpf_map__set_max_entries", -rc);
        }
    }

    /// <summary>Updates one element of a loaded map by fd.</summary>
    internal static void UpdateElem<TKey, TValue>(int fd, TKey key, TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        int rc = bpf_map_update_elem(fd, &key, &value, 0);
        if (rc < 0)
        {
            throw new BpfException("bpf_map_update_elem", -rc);
        }
    }

    /// <summary>Looks one element up into <paramref name="value"/> (per-CPU maps: one slot per possible CPU).</summary>
    internal static void LookupElem<TKey, TValue>(int fd, TKey key, Span<TValue> value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        fixed (TValue* v = value)
        {
            int rc = bpf_map_lookup_elem(fd, &key, v);
            if (rc < 0)
            {
                throw new BpfException("bpf_map_lookup_elem", -rc);
            }
        }
    }
}
