using System.Runtime.InteropServices;

namespace Harrier.Interop.Bpf;

/// <summary>libbpf bindings, part: typed helpers the loader uses (initial values, load with log, per-CPU sums).</summary>
internal static unsafe partial class Libbpf
{
    /// <summary>Reads the initial value (rodata/data section) of an opened, not yet loaded map as <typeparamref name="T"/>.</summary>
    /// <exception cref="BpfException">The map has no initial value or is smaller than T (EINVAL).</exception>
    internal static T ReadInitialValue<T>(nint map)
        where T : unmanaged
    {
        nuint size;
        void* p = bpf_map__initial_value(map, &size);
        if (p == null || size < (nuint)sizeof(T))
        {
            throw new BpfException("bpf_map__initial_value", 22);
        }

        return *(T*)p;
    }

    /// <summary>Overwrites the start of a map's initial value with <paramref name="value"/> before load.</summary>
    internal static void WriteInitialValue<T>(nint map, T value)
        where T : unmanaged
    {
        nuint size;
        void* p = bpf_map__initial_value(map, &size);
        if (p == null || size < (nuint)sizeof(T))
        {
            throw new BpfException("bpf_map__initial_value", 22);
        }

        *(T*)p = value;
    }

    /// <summary>Loads (verifies) every program and creates every map of the object. On failure the exception
    /// carries the libbpf/verifier lines printed during the load.</summary>
    internal static void LoadObject(BpfObjectHandle obj)
    {
        InstallPrintCallback();
        LibbpfLog.ClearCapture();
        int rc = bpf_object__load(obj.DangerousGetHandle());
        if (rc < 0)
        {
            throw new BpfException("bpf_object__load", -rc, LibbpfLog.Captured());
        }
    }

    /// <summary>Sum over CPUs of a per-CPU u64 array element; <paramref name="scratch"/> has one slot per possible CPU.</summary>
    internal static ulong SumPerCpu(int fd, uint key, Span<ulong> scratch)
    {
        fixed (ulong* v = scratch)
        {
            if (bpf_map_lookup_elem(fd, &key, v) < 0)
            {
                return 0;
            }
        }

        ulong sum = 0;
        foreach (ulong x in scratch)
        {
            sum += x;
        }

        return sum;
    }

    /// <summary>Writes a whole u32 array map (index = key).</summary>
    internal static void WriteU32Array(int fd, ReadOnlySpan<uint> values)
    {
        for (uint k = 0; k < values.Length; k++)
        {
            uint v = values[(int)k];
            int rc = bpf_map_update_elem(fd, &k, &v, 0);
            if (rc < 0)
            {
                throw new BpfException("bpf_map_update_elem", -rc);
            }
        }
    }
}
