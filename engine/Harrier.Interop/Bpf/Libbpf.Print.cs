using System.Runtime.InteropServices;

namespace Harrier.Interop.Bpf;

/// <summary>
/// libbpf bindings, part: the print callback. libbpf's messages (including the verifier log on a failed
/// load) are formatted with libc <c>vsnprintf</c> and handed to <see cref="LibbpfLog"/>.
/// </summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library, EntryPoint = "libbpf_set_print")]
    internal static partial nint libbpf_set_print(delegate* unmanaged<int, byte*, nint, int> fn);

    [LibraryImport("libc", EntryPoint = "vsnprintf")]
    private static partial int vsnprintf(byte* buffer, nuint size, byte* format, nint args);

    private static int s_printInstalled;

    /// <summary>Routes libbpf's output to <see cref="LibbpfLog"/>; idempotent and thread-safe.</summary>
    internal static void InstallPrintCallback()
    {
        if (Interlocked.Exchange(ref s_printInstalled, 1) == 0)
        {
            libbpf_set_print(&OnPrint);
        }
    }

    [UnmanagedCallersOnly]
    private static int OnPrint(int level, byte* format, nint args)
    {
        try
        {
            const int Size = 8192;
            byte* buf = stackalloc byte[Size];
            int n = vsnprintf(buf, Size, format, args);
            if (n < 0)
            {
                return 0;
            }

            string text = Marshal.PtrToStringUTF8((nint)buf, Math.Min(n, Size - 1));
            LibbpfLog.Write((LibbpfLogLevel)level, text);
        }
        catch
        {
            // never unwind into libbpf
        }

        return 0;
    }
}
