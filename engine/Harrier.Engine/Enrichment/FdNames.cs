namespace Harrier.Engine.Enrichment;

/// <summary>
/// The names of one process's open file descriptors, learnt from successful open events, so that a close event
/// (whose fd is already gone from the kernel's table at syscall exit) can report the name it had, as Falco's fd
/// table does. Bounded: past <see cref="Capacity"/> entries new fds are not remembered (the caller counts it).
/// Not thread-safe: owned by the single-threaded enrichment stage.
/// </summary>
internal sealed class FdNames
{
    /// <summary>Most fds remembered per process.</summary>
    public const int Capacity = 1024;

    private const long OCloexec = 0x80000; // O_CLOEXEC on x86_64

    private readonly Dictionary<int, (string Name, bool CloseOnExec)> _byFd;

    public FdNames()
    {
        _byFd = new Dictionary<int, (string, bool)>();
    }

    private FdNames(FdNames other)
    {
        _byFd = new Dictionary<int, (string, bool)>(other._byFd);
    }

    public int Count => _byFd.Count;

    /// <summary>Remembers <paramref name="fd"/> (replacing what it named before). False when the fd is new and the
    /// table is full, or <paramref name="mayGrow"/> is false.</summary>
    public bool Set(int fd, string name, long openFlags, bool mayGrow = true)
    {
        if (!_byFd.ContainsKey(fd) && (!mayGrow || _byFd.Count >= Capacity))
        {
            return false;
        }

        _byFd[fd] = (name, (openFlags & OCloexec) != 0);
        return true;
    }

    /// <summary>Whether <paramref name="fd"/> has a name now.</summary>
    public bool Contains(int fd) => _byFd.ContainsKey(fd);

    /// <summary>Forgets <paramref name="fd"/> and returns the name it had, or null when it was not known.</summary>
    public string? Take(int fd) => _byFd.Remove(fd, out var v) ? v.Name : null;

    /// <summary>An exec closed every close-on-exec fd. Returns how many names were forgotten.</summary>
    public int OnExec()
    {
        int removed = 0;
        foreach (var (fd, v) in _byFd)
        {
            if (v.CloseOnExec)
            {
                _byFd.Remove(fd); // removing while enumerating is allowed for Dictionary
                removed++;
            }
        }

        return removed;
    }

    /// <summary>A forked child inherits every fd.</summary>
    public FdNames Copy() => new(this);
}
