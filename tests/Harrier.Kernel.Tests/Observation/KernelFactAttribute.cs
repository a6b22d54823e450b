using Harrier.Engine.Loading;

namespace Harrier.Kernel.Tests.Observation;

/// <summary>
/// A fact that needs root, kernel BTF, bpffs and the built probe object; skipped with the reason otherwise.
/// On the CI machine (root, Linux 6.x with BTF) it runs.
/// </summary>
public sealed class KernelFactAttribute : FactAttribute
{
    public KernelFactAttribute()
    {
        string? reason = MissingRequirement();
        if (reason is not null)
        {
            Skip = reason;
        }
    }

    internal static string? MissingRequirement()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux";
        }

        if (!Capabilities.CanLoadBpf())
        {
            return "needs root (CAP_BPF + CAP_PERFMON or CAP_SYS_ADMIN)";
        }

        if (!File.Exists("/sys/kernel/btf/vmlinux"))
        {
            return "needs kernel BTF (/sys/kernel/btf/vmlinux)";
        }

        if (ProbeLoader.ReadEmbeddedObject() is null)
        {
            return "the engine was built without probes/.output/harrier.bpf.o (run make -C probes)";
        }

        if (TestPaths.Tool("trigger") is null)
        {
            return "probes/.output/trigger missing (run make -C probes)";
        }

        return null;
    }
}
