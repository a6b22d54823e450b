namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>A fact that needs root and cgroup v2 with BPF (cgroup programs); skipped with the reason otherwise.</summary>
public sealed class CgroupBpfFactAttribute : FactAttribute
{
    public CgroupBpfFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux";
        }
        else if (Environment.UserName != "root" && !IsRoot())
        {
            Skip = "needs root (CAP_BPF, CAP_NET_ADMIN, cgroup writes)";
        }
        else if (Harrier.Engine.Enforcement.CgroupPaths.FindCgroup2Mount() is null)
        {
            Skip = "no cgroup v2 mount";
        }
    }

    private static bool IsRoot()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    return line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2] == "0";
                }
            }
        }
        catch (IOException)
        {
        }

        return false;
    }
}
