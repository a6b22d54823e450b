namespace Harrier.Kernel.Tests.Lsm;

/// <summary>A fact that needs root and a bpf filesystem at /sys/fs/bpf; skipped (with the reason) otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux";
        }
        else if (Environment.UserName != "root")
        {
            Skip = "needs root (CAP_BPF, CAP_SYS_ADMIN)";
        }
        else if (!File.ReadAllText("/proc/mounts").Contains(" /sys/fs/bpf bpf ", StringComparison.Ordinal))
        {
            Skip = "no bpffs mounted on /sys/fs/bpf";
        }
    }
}
