namespace Harrier.Engine.Enforcement;

/// <summary>
/// Whether Harrier runs in a mount namespace of its own (systemd's <c>PrivateTmp</c>, <c>ProtectHome</c>, a container)
/// and, if so, the directory through which the host's file system is reached: <c>/proc/1/root</c>. A path in a policy
/// means the file the host's processes (and so the kernel hooks) see, not whatever Harrier's private <c>/tmp</c> holds.
/// Thread-safe.
/// </summary>
internal static class HostMountNamespace
{
    /// <summary>
    /// <c>PROC/1/root</c> when this process's mount namespace differs from init's and init's root can be reached
    /// (needs CAP_SYS_PTRACE); null when they are the same, or when it cannot be told (then the own view is the only one).
    /// </summary>
    public static string? HostRoot(string procRoot = "/proc")
    {
        string? self = LinkText(Path.Combine(procRoot, "self", "ns", "mnt"));
        string? init = LinkText(Path.Combine(procRoot, "1", "ns", "mnt"));
        if (self is null || init is null || self == init)
        {
            return null;
        }

        string root = Path.Combine(procRoot, "1", "root");
        return Directory.Exists(root) ? root : null;
    }

    private static string? LinkText(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
