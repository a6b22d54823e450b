using System.Runtime.InteropServices;

namespace Harrier.Interop;

/// <summary>Process signals for user-space verdicts (the fallback kill path).</summary>
internal static partial class Signals
{
    public const int SigKill = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int sig);

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; returns 0 or the errno.</summary>
    public static int Kill(int pid, int signal)
    {
        if (pid <= 1)
        {
            return 1; // EPERM: never signal init or a process group
        }

        return KillNative(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
