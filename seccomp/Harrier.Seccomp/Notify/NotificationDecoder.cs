using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using Harrier.Events;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Notify;

/// <summary>
/// Turns a user notification into a Harrier event with <see cref="EventSource.Seccomp"/>: connect/bind become
/// <see cref="NetworkEvent"/> (sockaddr read from the caller's memory), the open/mkdir/unlink family
/// <see cref="FileEvent"/> (path read and resolved against the caller's cwd or dirfd), execve/execveat a
/// <see cref="ProcessEvent"/> (filename and argv), anything else a <see cref="DecisionEvent"/> naming the syscall.
/// What was read is a snapshot: the caller may change its memory afterwards (README: TOCTOU). Stateless; thread-safe.
/// </summary>
internal sealed class NotificationDecoder
{
    /// <summary>Bytes read for one path argument (PATH_MAX).</summary>
    public const int MaxPathBytes = 4096;

    public const int MaxArgs = 64;
    public const int MaxArgBytes = 16 * 1024;

    private const int AtFdCwd = -100;
    private readonly string _procRoot;
    private readonly TimeProvider _time;

    public NotificationDecoder(string procRoot, TimeProvider time)
    {
        _procRoot = procRoot;
        _time = time;
    }

    /// <summary>Builds the event. Never throws for hostile or vanished targets: what could not be read is left unset and <see cref="HarrierEvent.Truncated"/> is set.</summary>
    public HarrierEvent Decode(in SeccompNotification n)
    {
        string name = SyscallTable.NameOf(n.Nr);
        using var mem = new ProcessMemory(_procRoot, n.Tid);
        HarrierEvent ev = name switch
        {
            "connect" => Network(mem, n, EventType.Connect),
            "bind" => Network(mem, n, EventType.Bind),
            "open" => File(mem, n, EventType.Open, dirfdArg: -1, pathArg: 0, flagsArg: 1, modeArg: 2),
            "openat" => File(mem, n, EventType.Openat, 0, 1, 2, 3),
            "openat2" => File(mem, n, EventType.Openat2, 0, 1, -1, -1),
            "creat" => File(mem, n, EventType.Creat, -1, 0, -1, 1),
            "mkdir" => File(mem, n, EventType.Mkdir, -1, 0, -1, 1),
            "mkdirat" => File(mem, n, EventType.Mkdirat, 0, 1, -1, 2),
            "unlink" => File(mem, n, EventType.Unlink, -1, 0, -1, -1),
            "unlinkat" => File(mem, n, EventType.Unlinkat, 0, 1, 2, -1),
            "rmdir" => File(mem, n, EventType.Rmdir, -1, 0, -1, -1),
            "chmod" => File(mem, n, EventType.Chmod, -1, 0, -1, 1),
            "fchmodat" => File(mem, n, EventType.Fchmodat, 0, 1, -1, 2),
            "truncate" => File(mem, n, EventType.Truncate, -1, 0, -1, -1),
            "execve" => Exec(mem, n, EventType.Execve, -1, 0, 1),
            "execveat" => Exec(mem, n, EventType.Execveat, 0, 1, 2),
            _ => new DecisionEvent { Type = EventType.SeccompDecision, Hook = "seccomp", Syscall = name, Action = "notify" },
        };

        ev.Source = EventSource.Seccomp;
        ev.Tid = n.Tid;
        ev.Pid = n.Tid;
        ev.TimestampNs = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        ReadStatus(n.Tid, ev);
        if (mem.Error is not null && ev.Class != EventClass.Decision)
        {
            ev.Truncated = true;
        }

        return ev;
    }

    private NetworkEvent Network(ProcessMemory mem, in SeccompNotification n, EventType type)
    {
        var ev = new NetworkEvent { Type = type, Fd = (int)n.Arg0 };
        int len = (int)Math.Min(n.Arg2, 128UL);
        Span<byte> buf = stackalloc byte[128];
        if (len < 2 || !mem.TryRead(n.Arg1, buf[..len]))
        {
            ev.Truncated = true;
            return ev;
        }

        var addr = ParseSockaddr(buf[..len]);
        ev.Domain = (int)addr.Family;
        if (type == EventType.Bind)
        {
            ev.Local = addr;
        }
        else
        {
            ev.Remote = addr;
        }

        return ev;
    }

    /// <summary>Decodes a sockaddr_in, sockaddr_in6 or sockaddr_un; default for anything else or short buffers.</summary>
    internal static SockAddress ParseSockaddr(ReadOnlySpan<byte> b)
    {
        if (b.Length < 2)
        {
            return default;
        }

        ushort family = BinaryPrimitives.ReadUInt16LittleEndian(b);
        switch (family)
        {
            case 2 when b.Length >= 8:
                return new SockAddress(AddressFamily.InterNetwork, BinaryPrimitives.ReadUInt32BigEndian(b[4..]), BinaryPrimitives.ReadUInt16BigEndian(b[2..]), null);
            case 10 when b.Length >= 24:
                return new SockAddress(AddressFamily.InterNetworkV6, BinaryPrimitives.ReadUInt128BigEndian(b[8..]), BinaryPrimitives.ReadUInt16BigEndian(b[2..]), null);
            case 1:
                var path = b[2..];
                bool isAbstract = path.Length > 0 && path[0] == 0;
                if (isAbstract)
                {
                    path = path[1..];
                }

                int nul = isAbstract ? -1 : path.IndexOf((byte)0);
                var text = System.Text.Encoding.UTF8.GetString(nul >= 0 ? path[..nul] : path);
                return new SockAddress(AddressFamily.Unix, 0, 0, isAbstract ? "@" + text : text);
            default:
                return default;
        }
    }

    private FileEvent File(ProcessMemory mem, in SeccompNotification n, EventType type, int dirfdArg, int pathArg, int flagsArg, int modeArg)
    {
        var ev = new FileEvent { Type = type, Dirfd = dirfdArg >= 0 ? (int)n.Arg(dirfdArg) : AtFdCwd };
        if (flagsArg >= 0)
        {
            ev.Flags = (long)n.Arg(flagsArg);
        }

        if (modeArg >= 0)
        {
            ev.Mode = (uint)n.Arg(modeArg);
        }

        if (type == EventType.Creat)
        {
            ev.Flags = 0x241; // O_CREAT|O_WRONLY|O_TRUNC, as creat(2) is defined
        }

        if (mem.TryReadString(n.Arg(pathArg), MaxPathBytes, out var raw, out bool cut))
        {
            ev.RawPath = raw;
            ev.Truncated = cut;
            ev.Path = Resolve(n.Tid, ev.Dirfd, raw);
        }
        else
        {
            ev.Truncated = true;
        }

        return ev;
    }

    private ProcessEvent Exec(ProcessMemory mem, in SeccompNotification n, EventType type, int dirfdArg, int pathArg, int argvArg)
    {
        var ev = new ProcessEvent { Type = type, Flags = dirfdArg >= 0 ? (long)n.Arg(dirfdArg) : 0 };
        if (mem.TryReadString(n.Arg(pathArg), MaxPathBytes, out var file, out bool cut))
        {
            ev.Filename = file;
            ev.Truncated = cut;
            ev.ExePath = Resolve(n.Tid, dirfdArg >= 0 ? (int)n.Arg(dirfdArg) : AtFdCwd, file);
        }
        else
        {
            ev.Truncated = true;
        }

        ev.Argv = mem.ReadStringArray(n.Arg(argvArg), MaxArgs, MaxArgBytes, out bool argvCut);
        ev.ArgvTruncated = argvCut;
        return ev;
    }

    /// <summary>Joins a relative path to the caller's cwd or dirfd (read from /proc) and normalises it lexically.</summary>
    private string? Resolve(int tid, int dirfd, string raw)
    {
        if (raw.Length == 0)
        {
            return null;
        }

        try
        {
            if (raw[0] == '/')
            {
                return Path.GetFullPath(raw);
            }

            string link = dirfd == AtFdCwd
                ? Path.Combine(_procRoot, tid.ToString(CultureInfo.InvariantCulture), "cwd")
                : Path.Combine(_procRoot, tid.ToString(CultureInfo.InvariantCulture), "fd", dirfd.ToString(CultureInfo.InvariantCulture));
            var target = new FileInfo(link).LinkTarget;
            return target is null || target[0] != '/' ? null : Path.GetFullPath(Path.Join(target, raw));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Fills tgid, ppid, uid, gid and comm from /proc/TID/status; leaves them unset if the task is gone.</summary>
    private void ReadStatus(int tid, HarrierEvent ev)
    {
        // One read into a pooled buffer: the fields needed are in the first ~1 KiB.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(2048);
        try
        {
            int n;
            using (var h = System.IO.File.OpenHandle(Path.Combine(_procRoot, tid.ToString(CultureInfo.InvariantCulture), "status")))
            {
                n = RandomAccess.Read(h, buffer.AsSpan(0, 2048), 0);
            }

            var text = buffer.AsSpan(0, n);
            while (text.Length > 0)
            {
                int eol = text.IndexOf((byte)'\n');
                var line = eol < 0 ? text : text[..eol];
                text = eol < 0 ? default : text[(eol + 1)..];
                int colon = line.IndexOf((byte)':');
                if (colon < 0)
                {
                    continue;
                }

                var key = line[..colon];
                var value = line[(colon + 1)..].Trim((byte)' ').Trim((byte)'\t');
                if (key.SequenceEqual("Name"u8))
                {
                    ev.Comm = System.Text.Encoding.UTF8.GetString(value);
                }
                else if (key.SequenceEqual("Tgid"u8))
                {
                    ev.Pid = (int)FirstNumber(value);
                }
                else if (key.SequenceEqual("PPid"u8))
                {
                    ev.Ppid = (int)FirstNumber(value);
                }
                else if (key.SequenceEqual("Uid"u8))
                {
                    ev.Uid = FirstNumber(value);
                }
                else if (key.SequenceEqual("Gid"u8))
                {
                    ev.Gid = FirstNumber(value);
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the task exited; the notification will be found stale by NOTIF_ID_VALID
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static uint FirstNumber(ReadOnlySpan<byte> value)
    {
        uint v = 0;
        foreach (byte b in value)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            v = (v * 10) + (uint)(b - '0');
        }

        return v;
    }
}
