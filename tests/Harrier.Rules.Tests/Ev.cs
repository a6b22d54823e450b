using System.Net;
using Harrier.Events;

namespace Harrier.Rules.Tests;

/// <summary>Builders for test events.</summary>
internal static class Ev
{
    private static long _id;

    public static ProcessInfo Proc(string name, string exePath = "", IReadOnlyList<string>? args = null, ProcessInfo? parent = null, int pid = 100, uint uid = 1000)
        => new()
        {
            Pid = pid,
            Ppid = parent?.Pid ?? 1,
            Name = name,
            Exe = name,
            ExePath = exePath.Length > 0 ? exePath : "/usr/bin/" + name,
            Args = args ?? Array.Empty<string>(),
            Parent = parent,
            Uid = uid,
            UserName = uid == 0 ? "root" : "alice",
            Cwd = "/home/alice",
            ContainerId = "host",
            Sid = pid,
            Pgid = pid,
        };

    private static T Fill<T>(T e, EventType type, ProcessInfo p, long ts)
        where T : HarrierEvent
    {
        e.Type = type;
        e.EventId = Interlocked.Increment(ref _id);
        e.TimestampNs = ts;
        e.Pid = p.Pid;
        e.Tid = p.Pid;
        e.Ppid = p.Ppid;
        e.Uid = p.Uid;
        e.Gid = p.Uid;
        e.LoginUid = p.LoginUid;
        e.Comm = p.Name;
        e.Process = p;
        return e;
    }

    public static ProcessEvent Exec(ProcessInfo p, long ts = 1_000_000_000)
    {
        var argv = new List<string> { p.Exe };
        argv.AddRange(p.Args);
        return Fill(new ProcessEvent { Filename = p.ExePath, ExePath = p.ExePath, Argv = argv }, EventType.Execve, p, ts);
    }

    public static FileEvent Open(ProcessInfo p, string path, long flags = 0, long res = 3, EventType type = EventType.Openat, long ts = 1_000_000_000)
    {
        var e = Fill(new FileEvent { Path = path, RawPath = path, Flags = flags, Fd = res >= 0 ? (int)res : -1, Dirfd = -100 }, type, p, ts);
        e.Res = res;
        return e;
    }

    public static FileEvent Unlink(ProcessInfo p, string path, long ts = 1_000_000_000)
        => Fill(new FileEvent { Path = path, RawPath = path }, EventType.Unlinkat, p, ts);

    public static FileEvent Symlink(ProcessInfo p, string target, string linkPath, long ts = 1_000_000_000)
        => Fill(new FileEvent { Path = target, RawPath = target, NewPath = linkPath, NewRawPath = linkPath }, EventType.Symlinkat, p, ts);

    public static NetworkEvent Connect(ProcessInfo p, string ip, ushort port, long res = 0, long ts = 1_000_000_000)
    {
        var e = Fill(new NetworkEvent
        {
            Fd = 5,
            Domain = ip.Contains(':') ? 10 : 2,
            SockType = 1,
            Protocol = 6,
            Local = SockAddress.FromIP(IPAddress.Parse(ip.Contains(':') ? "::1" : "10.1.2.3"), 40000),
            Remote = SockAddress.FromIP(IPAddress.Parse(ip), port),
        }, EventType.Connect, p, ts);
        e.Res = res;
        return e;
    }

    public static PrivilegeEvent Priv(ProcessInfo p, EventType type, long ts = 1_000_000_000, Action<PrivilegeEvent>? init = null)
    {
        var e = Fill(new PrivilegeEvent(), type, p, ts);
        init?.Invoke(e);
        return e;
    }

    public static PrivilegeEvent Dup2(ProcessInfo p, long oldFd, long newFd, bool socket, long ts = 1_000_000_000)
        => Priv(p, EventType.Dup2, ts, e =>
        {
            e.Target = oldFd;
            e.Target2 = newFd;
            e.FdIsSocket = socket;
            e.FdName = socket ? "socket:[1234]" : "/dev/null";
            e.Res = newFd;
        });
}
