using System.Runtime.InteropServices;

namespace Harrier.Interop.Bpf;

/// <summary>
/// libbpf 1.1 (<c>libbpf.so.1</c>) bindings. Raw entry points return what libbpf returns (negative errno,
/// or NULL with errno set); the <c>Check*</c> wrappers throw <see cref="BpfException"/>. libbpf objects are
/// not thread-safe: one owner per object. This part: bpf_object.
/// </summary>
internal static unsafe partial class Libbpf
{
    internal const string Library = "libbpf.so.1";

    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfObjectOpenOpts
    {
        public nuint Sz;
        public byte* ObjectName;
        public byte RelaxedMaps;
        public byte* PinRootPath;
        public uint AttachProgFd;
        public byte* KconfigPath;
        public byte* BtfCustomPath;
        public byte* KernelLogBuf;
        public nuint KernelLogSize;
        public uint KernelLogLevel;
    }

    [LibraryImport(Library, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    internal static partial nint bpf_object__open_mem(void* objBuf, nuint objBufSize, BpfObjectOpenOpts* opts);

    [LibraryImport(Library, EntryPoint = "bpf_object__load")]
    internal static partial int bpf_object__load(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__close")]
    internal static partial void bpf_object__close(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_object__find_map_by_name(nint obj, string name);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_object__find_program_by_name(nint obj, string name);

    [LibraryImport(Library, EntryPoint = "bpf_object__next_program")]
    internal static partial nint bpf_object__next_program(nint obj, nint prev);

    [LibraryImport(Library, EntryPoint = "libbpf_num_possible_cpus")]
    internal static partial int libbpf_num_possible_cpus();

    /// <summary>Opens an ELF BPF object from memory. The bytes are copied by libbpf.</summary>
    /// <exception cref="BpfException">libbpf rejected the object.</exception>
    internal static BpfObjectHandle OpenObject(ReadOnlySpan<byte> elf, string name)
    {
        byte[] nameBytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* p = elf)
        fixed (byte* n = nameBytes)
        {
            var opts = new BpfObjectOpenOpts { Sz = (nuint)sizeof(BpfObjectOpenOpts), ObjectName = n };
            nint obj = bpf_object__open_mem(p, (nuint)elf.Length, &opts);
            if (obj == 0)
            {
                throw new BpfException("bpf_object__open_mem", Marshal.GetLastPInvokeError());
            }

            return new BpfObjectHandle(obj);
        }
    }
}
