namespace Harrier.Events;

/// <summary>
/// A task's capability sets as bit masks (bit n = capability n, as in <c>/proc/PID/status</c>'s <c>CapEff</c>),
/// rendered for rules as Falco's <c>thread.cap_*</c> fields: the names of the set bits, upper case, space-separated.
/// </summary>
/// <param name="Effective">CapEff: what the task can use now.</param>
/// <param name="Permitted">CapPrm: what it may make effective.</param>
/// <param name="Inheritable">CapInh: what survives an exec of a capability-aware program.</param>
public readonly record struct Capabilities(ulong Effective, ulong Permitted, ulong Inheritable)
{
    // capabilities(7), in bit order (CAP_LAST_CAP is 40, CAP_CHECKPOINT_RESTORE, since Linux 5.9).
    private static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, string> Rendered = new();

    /// <summary>The bit of a capability name (<c>CAP_SYS_ADMIN</c> or <c>sys_admin</c>, any case), or -1.</summary>
    public static int BitOf(string name)
    {
        string upper = name.ToUpperInvariant();
        if (!upper.StartsWith("CAP_", StringComparison.Ordinal))
        {
            upper = "CAP_" + upper;
        }

        return Array.IndexOf(Names, upper);
    }

    /// <summary>
    /// The names of the bits set in <paramref name="mask"/>, in bit order, separated by spaces (<c>CAP_38</c>-style for
    /// bits newer than this table). Cached: a host has few distinct sets.
    /// </summary>
    public static string ToNames(ulong mask)
    {
        if (Rendered.TryGetValue(mask, out string? s))
        {
            return s;
        }

        var parts = new List<string>();
        for (int bit = 0; bit < 64; bit++)
        {
            if ((mask & (1UL << bit)) != 0)
            {
                parts.Add(bit < Names.Length ? Names[bit] : "CAP_" + bit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        s = string.Join(' ', parts);
        if (Rendered.Count < 4096)
        {
            Rendered[mask] = s;
        }

        return s;
    }
}
