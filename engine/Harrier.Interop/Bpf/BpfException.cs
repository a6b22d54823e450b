namespace Harrier.Interop.Bpf;

/// <summary>
/// A libbpf or bpf(2) operation failed. <see cref="Errno"/> is the positive errno; <see cref="Log"/> holds the
/// full libbpf/verifier output captured during the operation (the message carries its last lines).
/// </summary>
public class BpfException : Exception
{
    public BpfException(string operation, int errno, IReadOnlyList<string>? log = null)
        : base(BuildMessage(operation, errno, log))
    {
        Operation = operation;
        Errno = errno;
        Log = log ?? Array.Empty<string>();
    }

    public string Operation { get; }

    public int Errno { get; }

    public IReadOnlyList<string> Log { get; }

    /// <summary>The number of trailing log lines put into the message.</summary>
    public const int MessageLogLines = 20;

    private static string BuildMessage(string operation, int errno, IReadOnlyList<string>? log)
    {
        string msg = $"{operation} failed: {ErrnoName(errno)} ({errno})";
        if (log is { Count: > 0 })
        {
            var tail = log.Skip(Math.Max(0, log.Count - MessageLogLines));
            msg += Environment.NewLine + "last libbpf/verifier lines:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", tail);
        }

        return msg;
    }

    /// <summary>A short symbolic name of common errnos.</summary>
    public static string ErrnoName(int errno) => errno switch
    {
        1 => "EPERM",
        2 => "ENOENT",
        4 => "EINTR",
        7 => "E2BIG",
        9 => "EBADF",
        12 => "ENOMEM",
        13 => "EACCES",
        16 => "EBUSY",
        22 => "EINVAL",
        28 => "ENOSPC",
        95 => "EOPNOTSUPP",
        524 => "ENOTSUPP",
        _ => "errno",
    };
}
