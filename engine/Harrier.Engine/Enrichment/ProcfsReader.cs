using System.Globalization;
using System.Text;
using Harrier.Events;

namespace Harrier.Engine.Enrichment;

/// <summary>
/// Reads the per-process files of a procfs tree (the real <c>/proc</c> or a fake one in tests). Every method
/// returns false, empty or a default when the process is gone or a file is unreadable or malformed: it never
/// throws for bad input. Reads are capped, so a hostile or huge command line costs at most
/// <see cref="MaxCmdlineBytes"/>. Not thread-safe (one scratch buffer); used only by the enrichment thread.
/// </summary>
internal sealed class ProcfsReader
{
    /// <summary>The most bytes of <c>/proc/PID/cmdline</c> read; the rest is dropped.</summary>
    public const int MaxCmdlineBytes = 64 * 1024;

    /// <summary>The most arguments kept from a command line.</summary>
    public const int MaxArgs = 1024;

    private const int SmallFileBytes = 16 * 1024;

    private readonly string _root;
    private readonly byte[] _buffer = new byte[MaxCmdlineBytes];

    public ProcfsReader(string procRoot)
    {
        _root = procRoot;
    }

    /// <summary>The procfs mount point this reader reads.</summary>
    public string Root => _root;

    /// <summary>The numeric entries of the procfs root, i.e. the pids of running processes, ascending.</summary>
    public IReadOnlyList<int> EnumeratePids()
    {
        var pids = new List<int>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(_root))
            {
                if (int.TryParse(Path.GetFileName(dir.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0)
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // An unreadable root yields what was enumerated so far; the caller counts the degradation.
        }

        pids.Sort();
        return pids;
    }

    /// <summary>Parses <c>/proc/PID/stat</c>. The comm field may itself hold spaces and parentheses, so the
    /// fields are counted from the last ')'.</summary>
    public bool TryReadStat(int pid, out ProcStat stat)
    {
        stat = default;
        int n = ReadFile(pid, "stat", SmallFileBytes);
        if (n <= 0)
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(_buffer, 0, n).AsSpan();
        int open = text.IndexOf('(');
        int close = text.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return false;
        }

        var comm = text[(open + 1)..close].ToString();
        var rest = text[(close + 1)..].Trim();

        // rest: state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) ... starttime(22) -> indices 0..19
        Span<Range> parts = stackalloc Range[21];
        int count = rest.Split(parts, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count < 20)
        {
            return false;
        }

        if (!int.TryParse(rest[parts[1]], NumberStyles.Integer, CultureInfo.InvariantCulture, out int ppid)
            || !int.TryParse(rest[parts[2]], NumberStyles.Integer, CultureInfo.InvariantCulture, out int pgrp)
            || !int.TryParse(rest[parts[3]], NumberStyles.Integer, CultureInfo.InvariantCulture, out int session)
            || !int.TryParse(rest[parts[4]], NumberStyles.Integer, CultureInfo.InvariantCulture, out int tty)
            || !ulong.TryParse(rest[parts[19]], NumberStyles.None, CultureInfo.InvariantCulture, out ulong start))
        {
            return false;
        }

        stat = new ProcStat(comm, ppid, pgrp, session, tty, start);
        return true;
    }

    /// <summary>
    /// One read of <c>/proc/PID/status</c>: the effective uid and gid from the <c>Uid:</c> and <c>Gid:</c> lines (real,
    /// effective, saved, filesystem), as Falco's <c>user.uid</c>, and the capability sets from <c>CapEff:</c>,
    /// <c>CapPrm:</c> and <c>CapInh:</c> (hexadecimal masks; null when a line is missing). False when the process is
    /// gone or the ids are missing.
    /// </summary>
    public bool TryReadStatus(int pid, out uint uid, out uint gid, out Capabilities? caps)
    {
        uid = gid = 0;
        caps = null;
        int n = ReadFile(pid, "status", SmallFileBytes);
        if (n <= 0)
        {
            return false;
        }

        bool haveUid = false, haveGid = false;
        ulong eff = 0, prm = 0, inh = 0;
        int capLines = 0;
        foreach (var line in Encoding.UTF8.GetString(_buffer, 0, n).AsSpan().EnumerateLines())
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                haveUid = TryEffective(line[4..], out uid);
            }
            else if (line.StartsWith("Gid:", StringComparison.Ordinal))
            {
                haveGid = TryEffective(line[4..], out gid);
            }
            else if (line.StartsWith("CapEff:", StringComparison.Ordinal) && TryHex(line[7..], out eff))
            {
                capLines |= 1;
            }
            else if (line.StartsWith("CapPrm:", StringComparison.Ordinal) && TryHex(line[7..], out prm))
            {
                capLines |= 2;
            }
            else if (line.StartsWith("CapInh:", StringComparison.Ordinal) && TryHex(line[7..], out inh))
            {
                capLines |= 4;
            }
        }

        caps = capLines == 7 ? new Capabilities(eff, prm, inh) : null;
        return haveUid && haveGid;
    }

    private static bool TryHex(ReadOnlySpan<char> text, out ulong value)
        => ulong.TryParse(text.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);

    /// <summary>The audit login uid, <see cref="uint.MaxValue"/> when unset or unreadable.</summary>
    public uint ReadLoginUid(int pid)
    {
        int n = ReadFile(pid, "loginuid", 64);
        return n > 0 && uint.TryParse(Encoding.ASCII.GetString(_buffer, 0, n).AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint v)
            ? v
            : uint.MaxValue;
    }

    /// <summary>argv from <c>/proc/PID/cmdline</c> (NUL-separated), at most <see cref="MaxArgs"/> entries and
    /// <see cref="MaxCmdlineBytes"/> bytes; empty for kernel threads and gone processes.</summary>
    /// <summary>The most bytes of <c>/proc/PID/environ</c> read (proc.env); the rest is dropped.</summary>
    public const int MaxEnvironBytes = 32 * 1024;

    /// <summary>The environment (<c>KEY=value</c> entries) of a process, empty when unreadable or gone.</summary>
    public string[] ReadEnviron(int pid) => ReadNulSeparated(pid, "environ", MaxEnvironBytes);

    public string[] ReadCmdline(int pid) => ReadNulSeparated(pid, "cmdline", MaxCmdlineBytes);

    private string[] ReadNulSeparated(int pid, string file, int max)
    {
        int n = ReadFile(pid, file, max);
        if (n <= 0)
        {
            return Array.Empty<string>();
        }

        var bytes = _buffer.AsSpan(0, n);
        if (bytes[^1] == 0)
        {
            bytes = bytes[..^1];
        }

        var args = new List<string>();
        while (args.Count < MaxArgs)
        {
            int nul = bytes.IndexOf((byte)0);
            args.Add(Encoding.UTF8.GetString(nul < 0 ? bytes : bytes[..nul]));
            if (nul < 0)
            {
                break;
            }

            bytes = bytes[(nul + 1)..];
        }

        return args.ToArray();
    }

    /// <summary>The target of a link under the process directory (<c>exe</c>, <c>cwd</c>), or empty.</summary>
    public string ReadLink(int pid, string name)
    {
        try
        {
            return new FileInfo(Path.Combine(_root, pid.ToString(CultureInfo.InvariantCulture), name)).LinkTarget ?? string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>The cgroup path of the process: the cgroup v2 (<c>0::</c>) line if present, else the first
    /// v1 line whose path names a container, else the first line's path; empty when unreadable.</summary>
    public string ReadCgroupPath(int pid)
    {
        int n = ReadFile(pid, "cgroup", SmallFileBytes);
        if (n <= 0)
        {
            return string.Empty;
        }

        string? first = null;
        string? container = null;
        foreach (var line in Encoding.UTF8.GetString(_buffer, 0, n).AsSpan().EnumerateLines())
        {
            // hierarchy-ID:controller-list:cgroup-path; the path may itself contain ':'.
            int c1 = line.IndexOf(':');
            if (c1 < 0)
            {
                continue;
            }

            int c2 = line[(c1 + 1)..].IndexOf(':');
            if (c2 < 0)
            {
                continue;
            }

            var path = line[(c1 + c2 + 2)..];
            if (line[..c1].SequenceEqual("0") && c2 == 0)
            {
                return path.ToString();
            }

            first ??= path.ToString();
            if (container is null && ContainerIdParser.TryParse(path.ToString(), out _, out _, out _))
            {
                container = path.ToString();
            }
        }

        return container ?? first ?? string.Empty;
    }

    private static bool TryEffective(ReadOnlySpan<char> values, out uint id)
    {
        Span<Range> parts = stackalloc Range[5];
        var trimmed = values.Trim();
        int count = trimmed.SplitAny(parts, " \t", StringSplitOptions.RemoveEmptyEntries);
        id = 0;
        return count >= 2 && uint.TryParse(trimmed[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }

    /// <summary>Reads up to <paramref name="max"/> bytes of a process file into the scratch buffer; -1 when it
    /// cannot be read. procfs files report size 0, so this reads until end of file.</summary>
    private int ReadFile(int pid, string name, int max)
    {
        try
        {
            using var handle = File.OpenHandle(Path.Combine(_root, pid.ToString(CultureInfo.InvariantCulture), name), FileMode.Open, FileAccess.Read);
            int total = 0;
            while (total < max)
            {
                int read = RandomAccess.Read(handle, _buffer.AsSpan(total, max - total), total);
                if (read <= 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return -1;
        }
    }
}
