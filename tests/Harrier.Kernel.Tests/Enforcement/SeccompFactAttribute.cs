using Harrier.Seccomp.Cli;

namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>A fact that needs seccomp filters (Linux, x86_64) and the native launcher; skipped with the reason otherwise.</summary>
public sealed class SeccompFactAttribute : FactAttribute
{
    public SeccompFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            Skip = "needs Linux on x86_64";
        }
        else if (!File.Exists("/proc/sys/kernel/seccomp/actions_avail"))
        {
            Skip = "the kernel has no seccomp filter support";
        }
        else if (LauncherLocator.Find() is null)
        {
            Skip = "harrier-seccomp-exec not built (make -C seccomp)";
        }
    }
}
