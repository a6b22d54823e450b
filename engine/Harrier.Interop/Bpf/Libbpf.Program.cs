using System.Runtime.InteropServices;

namespace Harrier.Interop.Bpf;

/// <summary>libbpf bindings, part: programs, attachment and program-type probing.</summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library, EntryPoint = "bpf_program__attach", SetLastError = true)]
    internal static partial nint bpf_program__attach(nint prog);

    [LibraryImport(Library, EntryPoint = "bpf_program__name")]
    internal static partial byte* bpf_program__name(nint prog);

    [LibraryImport(Library, EntryPoint = "bpf_program__set_autoload")]
    internal static partial int bpf_program__set_autoload(nint prog, [MarshalAs(UnmanagedType.U1)] bool autoload);

    [LibraryImport(Library, EntryPoint = "bpf_program__fd")]
    internal static partial int bpf_program__fd(nint prog);

    /// <summary>1 when the kernel loads a trivial program of the type, 0 when not, negative errno on error.</summary>
    [LibraryImport(Library, EntryPoint = "libbpf_probe_bpf_prog_type")]
    internal static partial int libbpf_probe_bpf_prog_type(int progType, void* opts);

    /// <summary>1 when the helper is usable from the program type.</summary>
    [LibraryImport(Library, EntryPoint = "libbpf_probe_bpf_helper")]
    internal static partial int libbpf_probe_bpf_helper(int progType, int helperId, void* opts);

    /// <summary>Name of a program (for logs).</summary>
    internal static string ProgramName(nint prog) => Marshal.PtrToStringUTF8((nint)bpf_program__name(prog)) ?? "?";

    /// <summary>Attaches a loaded program by its section definition (tracepoints, raw_tp...).</summary>
    /// <exception cref="BpfException">The kernel refused the attachment.</exception>
    internal static BpfLinkHandle Attach(nint prog)
    {
        nint link = bpf_program__attach(prog);
        if (link == 0)
        {
            throw new BpfException($"bpf_program__attach({ProgramName(prog)})", Marshal.GetLastPInvokeError());
        }

        return new BpfLinkHandle(link);
    }
}
