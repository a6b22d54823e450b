using System.Runtime.InteropServices;

namespace Harrier.Interop.Bpf;

/// <summary>libbpf bindings, part: links.</summary>
internal static partial class Libbpf
{
    [LibraryImport(Library, EntryPoint = "bpf_link__destroy")]
    internal static partial int bpf_link__destroy(nint link);
}
