namespace Harrier.Rules.Fields;

/// <summary>Names for errno values, open flags and ptrace requests, as Falco prints them in <c>evt.res</c>/<c>evt.arg.*</c>.</summary>
internal static class SyscallNames
{
    private static readonly string?[] Errnos = BuildErrnos();

    private static readonly (long Bit, string Name)[] OpenFlagBits =
    {
        (0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"), (0x400, "O_APPEND"),
        (0x800, "O_NONBLOCK"), (0x1000, "O_DSYNC"), (0x2000, "O_ASYNC"), (0x4000, "O_DIRECT"), (0x8000, "O_LARGEFILE"),
        (0x10000, "O_DIRECTORY"), (0x20000, "O_NOFOLLOW"), (0x40000, "O_NOATIME"), (0x80000, "O_CLOEXEC"),
        (0x200000, "O_PATH"), (0x410000, "O_TMPFILE"),
    };

    public static string ErrnoName(long res)
    {
        if (res >= 0)
        {
            return "SUCCESS";
        }

        long n = -res;
        return n < Errnos.Length && Errnos[n] is { } name ? name : "E" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<long, string> OpenFlagsCache = new();

    /// <summary><see cref="OpenFlags"/>, memoised (flag combinations in practice are few; the cache is capped).</summary>
    public static string OpenFlagsCached(long flags)
    {
        if (OpenFlagsCache.TryGetValue(flags, out var s))
        {
            return s;
        }

        s = OpenFlags(flags);
        if (OpenFlagsCache.Count < 4096)
        {
            OpenFlagsCache.TryAdd(flags, s);
        }

        return s;
    }

    /// <summary><c>O_WRONLY|O_CREAT|O_TRUNC</c>-style rendering of open(2) flags.</summary>
    public static string OpenFlags(long flags)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append((flags & 3) switch { 0 => "O_RDONLY", 1 => "O_WRONLY", 2 => "O_RDWR", _ => "O_ACCMODE" });
        foreach (var (bit, name) in OpenFlagBits)
        {
            if (bit == 0x410000 ? (flags & bit) == bit : (flags & bit) != 0 && !(bit == 0x10000 && (flags & 0x410000) == 0x410000))
            {
                sb.Append('|').Append(name);
            }
        }

        if ((flags & 0x101000) == 0x101000)
        {
            sb.Replace("O_DSYNC", "O_SYNC");
        }

        return sb.ToString();
    }

    public static string PtraceRequest(long req) => req switch
    {
        0 => "PTRACE_TRACEME",
        1 => "PTRACE_PEEKTEXT",
        2 => "PTRACE_PEEKDATA",
        3 => "PTRACE_PEEKUSR",
        4 => "PTRACE_POKETEXT",
        5 => "PTRACE_POKEDATA",
        6 => "PTRACE_POKEUSR",
        7 => "PTRACE_CONT",
        8 => "PTRACE_KILL",
        9 => "PTRACE_SINGLESTEP",
        12 => "PTRACE_GETREGS",
        13 => "PTRACE_SETREGS",
        16 => "PTRACE_ATTACH",
        17 => "PTRACE_DETACH",
        24 => "PTRACE_SYSCALL",
        0x4200 => "PTRACE_SETOPTIONS",
        0x4206 => "PTRACE_SEIZE",
        0x4207 => "PTRACE_INTERRUPT",
        _ => req.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string SocketDomain(int domain) => domain switch
    {
        1 => "AF_UNIX",
        2 => "AF_INET",
        10 => "AF_INET6",
        16 => "AF_NETLINK",
        17 => "AF_PACKET",
        _ => domain.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string?[] BuildErrnos()
    {
        var a = new string?[134];
        var names = new[]
        {
            (1, "EPERM"), (2, "ENOENT"), (3, "ESRCH"), (4, "EINTR"), (5, "EIO"), (6, "ENXIO"), (7, "E2BIG"), (8, "ENOEXEC"),
            (9, "EBADF"), (10, "ECHILD"), (11, "EAGAIN"), (12, "ENOMEM"), (13, "EACCES"), (14, "EFAULT"), (16, "EBUSY"),
            (17, "EEXIST"), (18, "EXDEV"), (19, "ENODEV"), (20, "ENOTDIR"), (21, "EISDIR"), (22, "EINVAL"), (23, "ENFILE"),
            (24, "EMFILE"), (25, "ENOTTY"), (26, "ETXTBSY"), (27, "EFBIG"), (28, "ENOSPC"), (29, "ESPIPE"), (30, "EROFS"),
            (31, "EMLINK"), (32, "EPIPE"), (36, "ENAMETOOLONG"), (38, "ENOSYS"), (39, "ENOTEMPTY"), (40, "ELOOP"),
            (95, "EOPNOTSUPP"), (97, "EAFNOSUPPORT"), (98, "EADDRINUSE"), (99, "EADDRNOTAVAIL"), (101, "ENETUNREACH"),
            (104, "ECONNRESET"), (110, "ETIMEDOUT"), (111, "ECONNREFUSED"), (113, "EHOSTUNREACH"), (115, "EINPROGRESS"),
        };
        foreach (var (n, s) in names)
        {
            a[n] = s;
        }

        return a;
    }
}
