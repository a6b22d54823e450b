namespace Harrier.Engine.Loading;

/// <summary>The effective capabilities of this process, from /proc/self/status. Thread-safe.</summary>
internal static class Capabilities
{
    public const int CapSysAdmin = 21;
    public const int CapPerfmon = 38;
    public const int CapBpf = 39;

    /// <summary>CapEff, or 0 when unreadable.</summary>
    public static ulong Effective()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                {
                    return Convert.ToUInt64(line["CapEff:".Length..].Trim(), 16);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    public static bool Has(ulong caps, int cap) => (caps & (1UL << cap)) != 0;

    /// <summary>True when tracing programs can be loaded: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON.</summary>
    public static bool CanLoadBpf()
    {
        ulong c = Effective();
        return Has(c, CapSysAdmin) || (Has(c, CapBpf) && Has(c, CapPerfmon));
    }
}
