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

            // x86_64 SysV: va_list is a pointer to a 24-byte __va_list_tag; copying it is va_copy, so a
            // message longer than the stack buffer (a verifier log) can be formatted again in full.
            bool canRetry = RuntimeInformation.ProcessArchitecture == Architecture.X64;
            byte* copy = stackalloc byte[24];
            if (canRetry)
            {
                Buffer.MemoryCopy((void*)args, copy, 24, 24);
            }

            int n = vsnprintf(buf, Size, format, args);
            if (n < 0)
            {
                return 0;
            }

            string text;
            if (n >= Size && canRetry)
            {
                byte* big = (byte*)NativeMemory.Alloc((nuint)n + 1);
                try
                {
                    int m = vsnprintf(big, (nuint)n + 1, format, (nint)copy);
                    text = Marshal.PtrToStringUTF8((nint)big, Math.Max(0, Math.Min(m, n))) ?? string.Empty;
                }
                finally
                {
                    NativeMemory.Free(big);
                }
            }
            else
            {
                text = Marshal.PtrToStringUTF8((nint)buf, Math.Min(n, Size - 1));
            }

            LibbpfLog.Write((LibbpfLogLevel)level, text);
        }
        catch
        {
            // never unwind into libbpf
        }

        return 0;
    }
}
