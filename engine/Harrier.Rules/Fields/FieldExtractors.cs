using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;
using Harrier.Events;

namespace Harrier.Rules.Fields;

/// <summary>
/// Field extractors over <see cref="HarrierEvent"/>: each returns null when the value is missing (Falco's
/// "field not available", which makes every check on it false). Static, allocation-free for the fields rules
/// usually test (names, paths, numbers); composite strings (cmdline, fd.name of sockets) allocate.
/// </summary>
internal static class FieldExtractors
{
    private static readonly string HostName = Environment.MachineName;

    // ---- evt.*
    public static string? EvtType(HarrierEvent e, string? arg) => EventTypes.Name(e.Type);

    public static long? EvtNum(HarrierEvent e, string? arg) => e.EventId;

    public static long? EvtRawTime(HarrierEvent e, string? arg) => e.TimestampNs;

    public static string? EvtTime(HarrierEvent e, string? arg)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(e.TimestampNs / 1_000_000);
        return t.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "." + (e.TimestampNs % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);
    }

    public static string? EvtDateTime(HarrierEvent e, string? arg)
        => DateTimeOffset.FromUnixTimeMilliseconds(e.TimestampNs / 1_000_000).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Harrier reports exit events only (as Falco ≥ 0.42 does), so the direction is always <c>&lt;</c>.</summary>
    public static string? EvtDir(HarrierEvent e, string? arg) => "<";

    public static string? EvtRes(HarrierEvent e, string? arg) => SyscallNames.ErrnoName(e.Res);

    public static long? EvtRawRes(HarrierEvent e, string? arg) => e.Res;

    public static bool? EvtFailed(HarrierEvent e, string? arg) => e.Res < 0;

    public static string? EvtSource(HarrierEvent e, string? arg) => "syscall";

    public static string? EvtHostname(HarrierEvent e, string? arg) => HostName;

    public static bool? EvtIsOpenRead(HarrierEvent e, string? arg)
        => e is FileEvent f && IsOpen(e.Type) ? (f.Flags & 3) is 0 or 2 : false;

    public static bool? EvtIsOpenWrite(HarrierEvent e, string? arg)
        => e is FileEvent f && IsOpen(e.Type) ? (f.Flags & 3) is 1 or 2 || e.Type == EventType.Creat : false;

    /// <summary>As Falco: an open family call that may create the file (O_CREAT, O_TMPFILE, creat) with an execute bit in
    /// its mode.</summary>
    public static bool? EvtIsOpenExec(HarrierEvent e, string? arg)
        => e is FileEvent f && IsOpen(e.Type)
            && (e.Type == EventType.Creat || (f.Flags & OCreat) != 0 || (f.Flags & OTmpfile) == OTmpfile)
            && (f.Mode & ExecBits) != 0;

    private const long OCreat = 0x40; // O_CREAT (0100)

    private const long OTmpfile = 0x410000; // O_TMPFILE (__O_TMPFILE | O_DIRECTORY)

    private const uint ExecBits = 0x49; // S_IXUSR | S_IXGRP | S_IXOTH (0111)

    private static readonly string[] SmallNumbers = Enumerable.Range(0, 64).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static string SmallNumber(long n) => n is >= 0 and < 64 ? SmallNumbers[n] : n.ToString(CultureInfo.InvariantCulture);

    private static bool IsOpen(EventType t) => t is EventType.Open or EventType.Openat or EventType.Openat2 or EventType.Creat;

    /// <summary><c>evt.arg.NAME</c> or <c>evt.arg[N]</c>: the argument as Falco renders it.</summary>
    public static string? EvtArg(HarrierEvent e, string? arg)
    {
        if (arg is null)
        {
            return null;
        }

        // Fast paths for arguments rules test often (no per-call list).
        switch (e, arg)
        {
            case (FileEvent f, "flags") when IsOpen(e.Type):
                return SyscallNames.OpenFlagsCached(f.Flags);
            case (FileEvent f, "name") when IsOpen(e.Type):
                return f.RawPath;
            case (PrivilegeEvent p, "request") when e.Type == EventType.Ptrace:
                return SyscallNames.PtraceRequest(p.Request);
            case (PrivilegeEvent p, "newfd") when e.Type is EventType.Dup or EventType.Dup2 or EventType.Dup3:
                return SmallNumber(p.Target2);
            case (PrivilegeEvent p, "cmd") when e.Type == EventType.Bpf:
                return SmallNumber(p.Request);
        }

        var args = Args(e);
        if (int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out int idx))
        {
            return idx < args.Count ? args[idx].Value : null;
        }

        foreach (var (name, value) in args)
        {
            if (name == arg)
            {
                return value;
            }
        }

        return null;
    }

    public static string? EvtArgs(HarrierEvent e, string? arg)
    {
        var args = Args(e);
        return string.Join(' ', args.Where(a => a.Value is not null).Select(a => a.Name + "=" + a.Value));
    }

    /// <summary>The arguments of an event in Falco's order and names (exit-event parameters).</summary>
    internal static List<(string Name, string? Value)> Args(HarrierEvent e)
    {
        var inv = CultureInfo.InvariantCulture;
        var l = new List<(string, string?)>();
        switch (e)
        {
            case FileEvent f:
                if (!IsOpen(e.Type))
                {
                    l.Add(("res", e.Res.ToString(inv))); // the open family returns the fd: Falco's first parameter is 'fd'
                }

                switch (e.Type)
                {
                    case EventType.Rename or EventType.Renameat or EventType.Renameat2 or EventType.Link or EventType.Linkat:
                        l.Add(("oldpath", f.RawPath));
                        l.Add(("newpath", f.NewRawPath));
                        break;
                    case EventType.Symlink or EventType.Symlinkat:
                        l.Add(("target", f.RawPath));
                        l.Add(("linkpath", f.NewRawPath));
                        break;
                    case EventType.Close:
                        l.Add(("fd", f.Fd.ToString(inv)));
                        break;
                    case EventType.Open or EventType.Openat or EventType.Openat2 or EventType.Creat:
                        // Falco's exit-event order: fd, [dirfd,] name, [flags,] mode (creat has no dirfd nor flags).
                        l.Add(("fd", (e.Res < 0 ? e.Res : f.Fd).ToString(inv)));
                        if (e.Type is EventType.Openat or EventType.Openat2)
                        {
                            l.Add(("dirfd", f.Dirfd.ToString(inv)));
                        }

                        l.Add(("name", f.RawPath));
                        if (e.Type != EventType.Creat)
                        {
                            l.Add(("flags", SyscallNames.OpenFlags(f.Flags)));
                        }

                        l.Add(("mode", "0" + Convert.ToString(f.Mode, 8)));
                        break;
                    default:
                        l.Add(("path", f.RawPath));
                        l.Add(("name", f.RawPath));
                        l.Add(("flags", f.Flags.ToString(inv)));
                        l.Add(("mode", "0" + Convert.ToString(f.Mode, 8)));
                        break;
                }

                break;
            case NetworkEvent n when e.Type == EventType.Socket:
                // Falco's socket exit event: fd (the result), domain, type, proto.
                l.Add(("fd", e.Res.ToString(inv)));
                l.Add(("domain", SyscallNames.SocketDomain(n.Domain)));
                l.Add(("type", n.SockType.ToString(inv)));
                l.Add(("proto", n.Protocol.ToString(inv)));
                break;
            case NetworkEvent n when e.Type == EventType.Connect:
                // Falco's connect exit event: res, tuple, fd; Harrier's socket details follow.
                l.Add(("res", e.Res.ToString(inv)));
                l.Add(("tuple", n.Remote.IsSet || n.Local.IsSet ? FdName(e, null) : null));
                l.Add(("fd", n.Fd.ToString(inv)));
                l.Add(("domain", SyscallNames.SocketDomain(n.Domain)));
                l.Add(("type", n.SockType.ToString(inv)));
                l.Add(("proto", n.Protocol.ToString(inv)));
                break;
            case NetworkEvent n when e.Type is EventType.Accept or EventType.Accept4:
                // Falco's accept exit event: fd (the result), tuple, queuepct, queuelen, queuemax[, flags]; Harrier does
                // not read the listen queue, so those are missing.
                l.Add(("fd", e.Res.ToString(inv)));
                l.Add(("tuple", n.Remote.IsSet || n.Local.IsSet ? FdName(e, null) : null));
                l.Add(("queuepct", null));
                l.Add(("queuelen", null));
                l.Add(("queuemax", null));
                if (e.Type == EventType.Accept4)
                {
                    l.Add(("flags", null));
                }

                break;
            case NetworkEvent n when e.Type == EventType.Bind:
                // Falco's bind exit event: res, addr, fd.
                l.Add(("res", e.Res.ToString(inv)));
                l.Add(("addr", n.Local.IsSet ? n.Local.ToString() : null));
                l.Add(("fd", n.Fd.ToString(inv)));
                break;
            case NetworkEvent n when e.Type == EventType.Listen:
                // Falco's listen exit event: res, fd, backlog.
                l.Add(("res", e.Res.ToString(inv)));
                l.Add(("fd", n.Fd.ToString(inv)));
                l.Add(("backlog", n.Backlog.ToString(inv)));
                break;
            case NetworkEvent n when e.Type is EventType.Sendto or EventType.Sendmsg:
                // Falco's sendto/sendmsg exit event: res, data, fd, size, tuple (the payload is not captured).
                l.Add(("res", e.Res.ToString(inv)));
                l.Add(("data", null));
                l.Add(("fd", n.Fd.ToString(inv)));
                l.Add(("size", n.Size.ToString(inv)));
                l.Add(("tuple", n.Remote.IsSet || n.Local.IsSet ? FdName(e, null) : null));
                break;
            case NetworkEvent n:
                l.Add(("res", e.Res.ToString(inv)));
                l.Add(("fd", n.Fd.ToString(inv)));
                l.Add(("domain", SyscallNames.SocketDomain(n.Domain)));
                l.Add(("type", n.SockType.ToString(inv)));
                l.Add(("proto", n.Protocol.ToString(inv)));
                if (n.Remote.IsSet || n.Local.IsSet)
                {
                    l.Add(("tuple", FdName(e, null)));
                }

                l.Add(("size", n.Size.ToString(inv)));
                break;
            case PrivilegeEvent p:
                l.Add(("res", e.Res.ToString(inv)));
                switch (e.Type)
                {
                    case EventType.Ptrace:
                        l.Add(("request", SyscallNames.PtraceRequest(p.Request)));
                        l.Add(("pid", p.Target.ToString(inv)));
                        break;
                    case EventType.Dup or EventType.Dup2 or EventType.Dup3:
                        l.Add(("oldfd", p.Target.ToString(inv)));
                        l.Add(("newfd", p.Target2.ToString(inv)));
                        l.Add(("flags", p.Flags.ToString(inv)));
                        break;
                    case EventType.Setuid or EventType.Setreuid or EventType.Setresuid:
                        l.Add(("uid", p.Id0.ToString(inv)));
                        l.Add(("euid", p.Id1.ToString(inv)));
                        l.Add(("suid", p.Id2.ToString(inv)));
                        break;
                    case EventType.Setgid or EventType.Setregid or EventType.Setresgid:
                        l.Add(("gid", p.Id0.ToString(inv)));
                        l.Add(("egid", p.Id1.ToString(inv)));
                        l.Add(("sgid", p.Id2.ToString(inv)));
                        break;
                    case EventType.Bpf:
                        l.Add(("cmd", p.Request.ToString(inv)));
                        break;
                    case EventType.Mount or EventType.Umount2:
                        l.Add(("dev", p.Name));
                        l.Add(("dir", p.TargetPath));
                        l.Add(("type", p.FsType));
                        l.Add(("flags", p.Flags.ToString(inv)));
                        break;
                    default:
                        l.Add(("name", p.Name));
                        l.Add(("flags", p.Flags.ToString(inv)));
                        l.Add(("target", p.Target.ToString(inv)));
                        break;
                }

                break;
            case ProcessEvent x:
                l.Add(("res", e.Res.ToString(inv)));
                if (e.Type is EventType.Execve or EventType.Execveat)
                {
                    l.Add(("exe", x.Argv.Count > 0 ? x.Argv[0] : x.Filename));
                    l.Add(("args", string.Join(' ', x.Argv.Skip(1))));
                    l.Add(("filename", x.Filename));
                    l.Add(("flags", x.Flags.ToString(inv)));
                }
                else if (e.Type == EventType.ProcExit)
                {
                    l.Add(("status", x.ExitCode.ToString(inv)));
                    l.Add(("sig", x.ExitSignal.ToString(inv)));
                }
                else
                {
                    l.Add(("flags", x.Flags.ToString(inv)));
                }

                break;
            case DecisionEvent d:
                l.Add(("hook", d.Hook));
                l.Add(("syscall", d.Syscall));
                l.Add(("action", d.Action));
                l.Add(("policy", d.Policy));
                l.Add(("subject", d.Subject));
                break;
        }

        return l;
    }

    // ---- proc.*
    public static long? ProcPid(HarrierEvent e, string? arg) => e.Pid;

    public static long? ProcPpid(HarrierEvent e, string? arg) => e.Ppid;

    public static long? ThreadTid(HarrierEvent e, string? arg) => e.Tid;

    // thread.cap_*: the process's sets (an exec event carries its new ones itself), names of the set bits joined by spaces.
    private static Capabilities? CapsOf(HarrierEvent e)
        => e is ProcessEvent { Caps: { } own } ? own : e.Process?.Caps;

    public static string? ThreadCapEffective(HarrierEvent e, string? arg)
        => CapsOf(e) is { } c ? Capabilities.ToNames(c.Effective) : null;

    public static string? ThreadCapPermitted(HarrierEvent e, string? arg)
        => CapsOf(e) is { } c ? Capabilities.ToNames(c.Permitted) : null;

    public static string? ThreadCapInheritable(HarrierEvent e, string? arg)
        => CapsOf(e) is { } c ? Capabilities.ToNames(c.Inheritable) : null;

    // proc.is_exe_upper_layer / lower_layer: an exec event carries where its new executable lives; others read the table.
    private static OverlayLayer? ExeLayerOf(HarrierEvent e)
        => e is ProcessEvent { Res: >= 0 } pe && e.Type is EventType.Execve or EventType.Execveat ? pe.ExeLayer : e.Process?.ExeLayer;

    public static bool? ProcIsExeUpperLayer(HarrierEvent e, string? arg) => ExeLayerOf(e) is { } l ? l == OverlayLayer.Upper : null;

    public static bool? ProcIsExeLowerLayer(HarrierEvent e, string? arg) => ExeLayerOf(e) is { } l ? l == OverlayLayer.Lower : null;

    public static string? ProcName(HarrierEvent e, string? arg)
        => e.Comm.Length > 0 ? e.Comm : e.Process is { Name.Length: > 0 } p ? p.Name : null;

    public static string? ProcExe(HarrierEvent e, string? arg)
    {
        if (e is ProcessEvent { Argv.Count: > 0 } x && e.Type is EventType.Execve or EventType.Execveat)
        {
            return x.Argv[0];
        }

        return e.Process is { Exe.Length: > 0 } p ? p.Exe : null;
    }

    public static string? ProcExePath(HarrierEvent e, string? arg)
    {
        if (e is ProcessEvent { ExePath: not null } x && e.Type is EventType.Execve or EventType.Execveat)
        {
            return x.ExePath;
        }

        return e.Process is { ExePath.Length: > 0 } p ? p.ExePath : null;
    }

    // One-entry per-thread caches: a condition reads proc.cmdline / fd.directory many times for the same event, so
    // the composite string is built once per event. Keys are the references the value is derived from, so a pooled
    // event reused for another syscall (new strings/lists) never sees a stale value.
    [ThreadStatic]
    private static (HarrierEvent? Event, long Id, object? Src, string? Value) t_args;

    [ThreadStatic]
    private static (object? Src, object? Name, string? Value) t_cmdline;

    [ThreadStatic]
    private static (string? Path, string? Dir, string? File) t_path;

    public static string? ProcArgs(HarrierEvent e, string? arg)
    {
        IReadOnlyList<string>? list = e is ProcessEvent x && e.Type is EventType.Execve or EventType.Execveat ? x.Argv : e.Process?.Args;
        if (list is null)
        {
            return null;
        }

        if (arg is not null)
        {
            return ProcArgv(e, list, Index(arg));
        }

        var cache = t_args;
        if (ReferenceEquals(cache.Event, e) && cache.Id == e.EventId && ReferenceEquals(cache.Src, list) && cache.Value is not null)
        {
            return cache.Value;
        }

        string value = e is ProcessEvent && e.Type is EventType.Execve or EventType.Execveat
            ? list.Count <= 1 ? string.Empty : string.Join(' ', list.Skip(1))
            : string.Join(' ', list);
        t_args = (e, e.EventId, list, value);
        return value;
    }

    /// <summary><c>proc.args[N]</c>: argv[N] alone (0 is argv[0], as <c>proc.exe</c>); missing past the last argument.</summary>
    private static string? ProcArgv(HarrierEvent e, IReadOnlyList<string> list, int n)
    {
        if (e is ProcessEvent && e.Type is EventType.Execve or EventType.Execveat)
        {
            // The exec event carries the whole argv, argv[0] included.
            return n < list.Count ? list[n] : null;
        }

        // The process table keeps argv[1..] and argv[0] apart (proc.exe).
        return n == 0 ? ProcExe(e, null) : n - 1 < list.Count ? list[n - 1] : null;
    }

    /// <summary><c>proc.cmdline</c>: the process name followed by argv[1..], as Falco prints it.</summary>
    public static string? ProcCmdline(HarrierEvent e, string? arg)
    {
        var name = ProcName(e, null);
        if (name is null)
        {
            return null;
        }

        var args = ProcArgs(e, null);
        if (string.IsNullOrEmpty(args))
        {
            return name;
        }

        var cache = t_cmdline;
        if (ReferenceEquals(cache.Src, args) && ReferenceEquals(cache.Name, name))
        {
            return cache.Value;
        }

        var value = name + " " + args;
        t_cmdline = (args, name, value);
        return value;
    }

    public static string? ProcCwd(HarrierEvent e, string? arg) => e.Process is { Cwd.Length: > 0 } p ? p.Cwd : null;

    public static long? ProcTty(HarrierEvent e, string? arg) => e.Process?.Tty;

    public static long? ProcSid(HarrierEvent e, string? arg) => e.Process?.Sid;

    public static long? ProcVpgid(HarrierEvent e, string? arg) => e.Process?.Pgid;

    public static bool? ProcIsVpgidLeader(HarrierEvent e, string? arg) => e.Process is { } p ? p.Pid == p.Pgid : null;

    public static bool? ProcIsSidLeader(HarrierEvent e, string? arg) => e.Process is { } p ? p.Pid == p.Sid : null;

    public static string? ProcSname(HarrierEvent e, string? arg) => NullIfEmpty(FindAncestor(e.Process, e.Process?.Sid ?? 0)?.Name);

    public static string? ProcVpgidName(HarrierEvent e, string? arg) => NullIfEmpty(FindAncestor(e.Process, e.Process?.Pgid ?? 0)?.Name);

    public static string? ProcVpgidExe(HarrierEvent e, string? arg) => NullIfEmpty(FindAncestor(e.Process, e.Process?.Pgid ?? 0)?.Exe);

    public static string? ProcVpgidExePath(HarrierEvent e, string? arg) => NullIfEmpty(FindAncestor(e.Process, e.Process?.Pgid ?? 0)?.ExePath);

    /// <summary>The process itself or the nearest ancestor whose pid is <paramref name="pid"/> (bounded walk).</summary>
    private static ProcessInfo? FindAncestor(ProcessInfo? start, int pid)
    {
        var p = start;
        for (int i = 0; i < 256 && p is not null && pid > 0; i++, p = p.Parent)
        {
            if (p.Pid == pid)
            {
                return p;
            }
        }

        return null;
    }

    public static string? ProcEnv(HarrierEvent e, string? arg)
    {
        if (e.Process is not { } p)
        {
            return null;
        }

        if (arg is null)
        {
            return p.Env.Count == 0 ? null : string.Join(' ', p.Env);
        }

        foreach (var kv in p.Env)
        {
            if (kv.Length > arg.Length && kv[arg.Length] == '=' && kv.StartsWith(arg, StringComparison.Ordinal))
            {
                return kv[(arg.Length + 1)..];
            }
        }

        return null;
    }

    public static bool? ProcIsExeFromMemfd(HarrierEvent e, string? arg)
    {
        var path = ProcExePath(e, null);
        return path is null ? null : path.StartsWith("/memfd:", StringComparison.Ordinal) || path.StartsWith("memfd:", StringComparison.Ordinal);
    }

    public static long? ProcDuration(HarrierEvent e, string? arg)
        => e.Process is { StartNs: > 0 } p && e.KTimeNs >= p.StartNs ? (long)(e.KTimeNs - p.StartNs) : null;

    public static long? ProcPpidDuration(HarrierEvent e, string? arg)
        => e.Process?.Parent is { StartNs: > 0 } p && e.KTimeNs >= p.StartNs ? (long)(e.KTimeNs - p.StartNs) : null;

    public static string? ProcPname(HarrierEvent e, string? arg) => NullIfEmpty(e.Process?.Parent?.Name);

    public static string? ProcPexe(HarrierEvent e, string? arg) => NullIfEmpty(e.Process?.Parent?.Exe);

    public static string? ProcPexePath(HarrierEvent e, string? arg) => NullIfEmpty(e.Process?.Parent?.ExePath);

    [ThreadStatic]
    private static (ProcessInfo? Proc, string? Name, object? Args, string? Value) t_pcmdline;

    public static string? ProcPcmdline(HarrierEvent e, string? arg)
    {
        if (e.Process?.Parent is not { Name.Length: > 0 } p)
        {
            return null;
        }

        var c = t_pcmdline;
        if (ReferenceEquals(c.Proc, p) && ReferenceEquals(c.Name, p.Name) && ReferenceEquals(c.Args, p.Args))
        {
            return c.Value;
        }

        var v = p.Cmdline;
        t_pcmdline = (p, p.Name, p.Args, v);
        return v;
    }

    public static long? ProcPpidOfParent(HarrierEvent e, string? arg) => e.Process?.Parent?.Ppid;

    /// <summary>N-th ancestor (0 = the process itself). With no index: every ancestor's name (see <see cref="ProcAnameAll"/>).</summary>
    public static string? ProcAname(HarrierEvent e, string? arg)
    {
        int n = Index(arg);
        if (n == 0)
        {
            return ProcName(e, null);
        }

        return NullIfEmpty(Ancestor(e, n)?.Name);
    }

    [ThreadStatic]
    private static (HarrierEvent? Event, long Id, ProcessInfo? Parent, List<string>? Names) t_anames;

    /// <summary>Every ancestor's name, parent first. The list is reused per thread and valid until the next event.</summary>
    public static IReadOnlyList<string>? ProcAnameAll(HarrierEvent e, string? arg)
    {
        var p = e.Process?.Parent;
        if (p is null)
        {
            return null;
        }

        var c = t_anames;
        if (ReferenceEquals(c.Event, e) && c.Id == e.EventId && ReferenceEquals(c.Parent, p) && c.Names is not null)
        {
            return c.Names;
        }

        var l = c.Names ?? new List<string>();
        l.Clear();
        for (int i = 0; i < 256 && p is not null; i++, p = p.Parent)
        {
            l.Add(p.Name);
        }

        t_anames = (e, e.EventId, e.Process!.Parent, l);
        return l;
    }

    public static long? ProcApid(HarrierEvent e, string? arg)
    {
        int n = Index(arg);
        return n == 0 ? e.Pid : Ancestor(e, n)?.Pid;
    }

    public static string? ProcAexe(HarrierEvent e, string? arg)
    {
        int n = Index(arg);
        return n == 0 ? ProcExe(e, null) : NullIfEmpty(Ancestor(e, n)?.Exe);
    }

    public static string? ProcAexePath(HarrierEvent e, string? arg)
    {
        int n = Index(arg);
        return n == 0 ? ProcExePath(e, null) : NullIfEmpty(Ancestor(e, n)?.ExePath);
    }

    public static string? ProcAcmdline(HarrierEvent e, string? arg)
    {
        int n = Index(arg);
        return n == 0 ? ProcCmdline(e, null) : Ancestor(e, n) is { Name.Length: > 0 } p ? p.Cmdline : null;
    }

    private static int Index(string? arg) => arg is not null && int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;

    private static ProcessInfo? Ancestor(HarrierEvent e, int n) => e.Process?.Ancestor(n);

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    // ---- user.* / group.*
    public static long? UserUid(HarrierEvent e, string? arg) => e.Uid;

    public static string? UserName(HarrierEvent e, string? arg) => NullIfEmpty(e.Process?.UserName) ?? (e.Uid == 0 ? "root" : null);

    public static long? UserLoginUid(HarrierEvent e, string? arg) => e.LoginUid == uint.MaxValue ? -1 : e.LoginUid;

    public static string? UserLoginName(HarrierEvent e, string? arg) => NullIfEmpty(e.Process?.LoginUserName);

    public static long? GroupGid(HarrierEvent e, string? arg) => e.Gid;

    public static string? GroupName(HarrierEvent e, string? arg) => NullIfEmpty(e.Process?.GroupName) ?? (e.Gid == 0 ? "root" : null);

    // ---- container.*
    public static string? ContainerId(HarrierEvent e, string? arg) => e.Process?.ContainerId ?? "host";

    public static string? ContainerType(HarrierEvent e, string? arg)
        => e.Process is { ContainerRuntime.Length: > 0 } p ? p.ContainerRuntime : "host";

    // container metadata from the runtime's state files (missing on the host, or when nothing was readable)
    /// <summary>As Falco: "host" for a process outside any container.</summary>
    public static string? ContainerName(HarrierEvent e, string? arg)
        => e.Process is { ContainerId: not "host" } p ? p.Container?.Name : "host";

    public static string? ContainerFullId(HarrierEvent e, string? arg) => e.Process?.ContainerFullId ?? "host";

    public static string? ContainerImage(HarrierEvent e, string? arg) => e.Process?.Container?.Image;

    public static string? ContainerImageRepository(HarrierEvent e, string? arg) => e.Process?.Container?.ImageRepository;

    public static string? ContainerImageTag(HarrierEvent e, string? arg) => e.Process?.Container?.ImageTag;

    public static string? ContainerImageId(HarrierEvent e, string? arg) => e.Process?.Container?.ImageId;

    public static string? ContainerImageDigest(HarrierEvent e, string? arg) => e.Process?.Container?.ImageDigest;

    public static bool? ContainerPrivileged(HarrierEvent e, string? arg) => e.Process?.Container?.Privileged;

    public static long? ContainerStartTs(HarrierEvent e, string? arg) => e.Process?.Container?.StartTsNs;

    public static string? K8sNsName(HarrierEvent e, string? arg) => e.Process?.Container?.K8sNamespace;

    public static string? K8sPodName(HarrierEvent e, string? arg) => e.Process?.Container?.K8sPodName;

    public static string? K8sPodUid(HarrierEvent e, string? arg) => e.Process?.Container?.K8sPodUid;

    public static string? K8sPodSandboxId(HarrierEvent e, string? arg)
        => e.Process?.Container?.K8sSandboxId is { Length: >= 12 } id ? id[..12] : null;

    public static string? K8sPodFullSandboxId(HarrierEvent e, string? arg) => e.Process?.Container?.K8sSandboxId;

    // ---- fs.path.* (as Falco: set only when the call succeeded)
    private static bool TwoPaths(EventType t)
        => t is EventType.Rename or EventType.Renameat or EventType.Renameat2 or EventType.Link or EventType.Linkat or EventType.Symlink or EventType.Symlinkat;

    /// <summary>The path a single-path file call (open, mkdir, unlink, chmod, chown, truncate...) worked on, absolute.</summary>
    public static string? FsPathName(HarrierEvent e, string? arg) => SinglePath(e, raw: false);

    public static string? FsPathNameRaw(HarrierEvent e, string? arg) => SinglePath(e, raw: true);

    private static string? SinglePath(HarrierEvent e, bool raw) => e switch
    {
        FileEvent { Res: >= 0 } f when !TwoPaths(e.Type) && e.Type != EventType.Close => raw ? f.RawPath ?? f.Path : f.Path,
        PrivilegeEvent { Type: EventType.Umount2, Res: >= 0 } u => u.TargetPath,
        _ => null,
    };

    /// <summary>rename: the old path; link and symlink: the new link; mount: the device (Falco's "source").</summary>
    public static string? FsPathSource(HarrierEvent e, string? arg) => SourceTarget(e, source: true, raw: false);

    public static string? FsPathSourceRaw(HarrierEvent e, string? arg) => SourceTarget(e, source: true, raw: true);

    /// <summary>rename: the new path; link: the existing file; symlink: what the link points to; mount: the mount point
    /// (Falco's "target").</summary>
    public static string? FsPathTarget(HarrierEvent e, string? arg) => SourceTarget(e, source: false, raw: false);

    public static string? FsPathTargetRaw(HarrierEvent e, string? arg) => SourceTarget(e, source: false, raw: true);

    private static string? SourceTarget(HarrierEvent e, bool source, bool raw)
    {
        if (e is PrivilegeEvent { Type: EventType.Mount, Res: >= 0 } m)
        {
            return source ? m.Name : m.TargetPath; // mount: the device (or source directory) onto the mount point
        }

        if (e is not FileEvent { Res: >= 0 } f || !TwoPaths(e.Type))
        {
            return null;
        }

        // Harrier keeps the first argument in Path (rename/link: oldpath; symlink: target) and the second in NewPath
        bool first = e.Type is EventType.Rename or EventType.Renameat or EventType.Renameat2 ? source : !source;
        return first ? (raw ? f.RawPath ?? f.Path : f.Path) : (raw ? f.NewRawPath ?? f.NewPath : f.NewPath);
    }

    // ---- fd.*
    public static long? FdNum(HarrierEvent e, string? arg) => e switch
    {
        FileEvent f => f.Fd,
        NetworkEvent n => e.Type is EventType.Accept or EventType.Accept4 or EventType.Socket ? e.Res : n.Fd,
        PrivilegeEvent p when e.Type is EventType.Dup or EventType.Dup2 or EventType.Dup3 => e.Res >= 0 ? e.Res : p.Target2,
        _ => null,
    };

    public static string? FdName(HarrierEvent e, string? arg)
    {
        switch (e)
        {
            case FileEvent f:
                return f.Path ?? f.RawPath;
            case NetworkEvent n:
                if (n.Local.Family == AddressFamily.Unix || n.Remote.Family == AddressFamily.Unix)
                {
                    return n.Remote.UnixPath ?? n.Local.UnixPath ?? string.Empty;
                }

                var (c, s) = ClientServer(n);
                if (!c.IsSet && !s.IsSet)
                {
                    return null;
                }

                return $"{c}->{s}";
            case PrivilegeEvent p when e.Type is EventType.Dup or EventType.Dup2 or EventType.Dup3:
                return p.FdName;
            default:
                return null;
        }
    }

    public static string? FdNameRaw(HarrierEvent e, string? arg) => e is FileEvent f ? f.RawPath ?? f.Path : FdName(e, arg);

    public static string? FdDirectory(HarrierEvent e, string? arg)
    {
        if (e is not FileEvent { Path: { } path })
        {
            return null;
        }

        return SplitPath(path).Dir;
    }

    private static (string? Dir, string File) SplitPath(string path)
    {
        var cache = t_path;
        if (ReferenceEquals(cache.Path, path))
        {
            return (cache.Dir, cache.File!);
        }

        int i = path.LastIndexOf('/');
        var dir = i < 0 ? null : i == 0 ? "/" : path[..i];
        var file = i < 0 ? path : path[(i + 1)..];
        t_path = (path, dir, file);
        return (dir, file);
    }

    public static string? FdFilename(HarrierEvent e, string? arg)
    {
        if (e is not FileEvent { Path: { } path })
        {
            return null;
        }

        return SplitPath(path).File;
    }

    public static string? FdTypeChar(HarrierEvent e, string? arg) => FdType(e, arg) switch
    {
        "file" => "f",
        "directory" => "d",
        "ipv4" => "4",
        "ipv6" => "6",
        "unix" => "u",
        "socket" => "s",
        _ => null,
    };

    public static string? FdType(HarrierEvent e, string? arg)
    {
        switch (e)
        {
            case FileEvent:
                return e.Type is EventType.Mkdir or EventType.Mkdirat or EventType.Rmdir ? "directory" : "file";
            case NetworkEvent n:
                var fam = n.Remote.IsSet ? n.Remote.Family : n.Local.IsSet ? n.Local.Family : n.Domain switch
                {
                    1 => AddressFamily.Unix,
                    2 => AddressFamily.InterNetwork,
                    10 => AddressFamily.InterNetworkV6,
                    _ => AddressFamily.Unspecified,
                };
                return fam switch
                {
                    AddressFamily.InterNetwork => "ipv4",
                    AddressFamily.InterNetworkV6 => "ipv6",
                    AddressFamily.Unix => "unix",
                    _ => null,
                };
            case PrivilegeEvent p when e.Type is EventType.Dup or EventType.Dup2 or EventType.Dup3:
                if (p.FdIsSocket)
                {
                    // the duplicated fd's socket family, as Falco types the fd (ipv4/ipv6/unix)
                    return p.FdSocketFamily switch
                    {
                        1 => "unix",
                        2 => "ipv4",
                        10 => "ipv6",
                        _ => "socket",
                    };
                }

                return p.FdName is { Length: > 0 } n2 && n2.StartsWith('/') ? "file" : null;
            default:
                return null;
        }
    }

    public static string? FdSockFamily(HarrierEvent e, string? arg) => FdType(e, arg) switch
    {
        "ipv4" or "ipv6" => "ip",
        "unix" => "unix",
        _ => null,
    };

    public static string? FdL4Proto(HarrierEvent e, string? arg)
    {
        if (e is not NetworkEvent n || FdSockFamily(e, null) != "ip")
        {
            return null;
        }

        return (n.SockType & 0xf, n.Protocol) switch
        {
            (_, 6) or (1, 0) => "tcp",
            (_, 17) or (2, 0) => "udp",
            (_, 1) or (_, 58) => "icmp",
            (3, _) => "raw",
            _ => null,
        };
    }

    public static bool? FdConnected(HarrierEvent e, string? arg) => e is NetworkEvent n
        ? e.Type switch
        {
            EventType.Connect or EventType.Accept or EventType.Accept4 => e.Res >= 0 || e.Res == -115,
            EventType.Sendto or EventType.Sendmsg => n.SocketConnected,
            _ => null,
        }
        : null;

    /// <summary><c>fd.name_changed</c>: a sendto/sendmsg to a destination other than the fd's last one; false for every
    /// other event.</summary>
    public static bool? FdNameChanged(HarrierEvent e, string? arg) => e is NetworkEvent { NameChanged: true };

    /// <summary>accept: the peer is the client; every other call: this side is the client.</summary>
    private static (SockAddress Client, SockAddress Server) ClientServer(NetworkEvent n)
        => n.Type is EventType.Accept or EventType.Accept4 or EventType.Listen or EventType.Bind ? (n.Remote, n.Local) : (n.Local, n.Remote);

    /// <summary>A dup'ed socket: its endpoints as the kernel saw them (this side is the client, as for every call but
    /// accept, bind and listen).</summary>
    private static bool DupSocket(HarrierEvent e, [NotNullWhen(true)] out PrivilegeEvent? p)
    {
        p = e as PrivilegeEvent;
        return p is { FdIsSocket: true } && e.Type is EventType.Dup or EventType.Dup2 or EventType.Dup3;
    }

    private static SockAddress Client(HarrierEvent e) => e is NetworkEvent n ? ClientServer(n).Client : DupSocket(e, out var p) ? p.FdLocal : default;

    private static SockAddress Server(HarrierEvent e) => e is NetworkEvent n ? ClientServer(n).Server : DupSocket(e, out var p) ? p.FdRemote : default;

    private static SockAddress Local(HarrierEvent e) => e is NetworkEvent n ? n.Local : DupSocket(e, out var p) ? p.FdLocal : default;

    private static SockAddress Remote(HarrierEvent e) => e is NetworkEvent n ? n.Remote : DupSocket(e, out var p) ? p.FdRemote : default;

    private static long? Port(SockAddress a) => IpValue.From(a) is not null ? a.Port : null;

    public static IpValue? FdCip(HarrierEvent e, string? arg) => IpValue.From(Client(e));

    public static IpValue? FdSip(HarrierEvent e, string? arg) => IpValue.From(Server(e));

    public static IpValue? FdLip(HarrierEvent e, string? arg) => IpValue.From(Local(e));

    public static IpValue? FdRip(HarrierEvent e, string? arg) => IpValue.From(Remote(e));

    public static long? FdCport(HarrierEvent e, string? arg) => Port(Client(e));

    public static long? FdSport(HarrierEvent e, string? arg) => Port(Server(e));

    public static long? FdLport(HarrierEvent e, string? arg) => Port(Local(e));

    public static long? FdRport(HarrierEvent e, string? arg) => Port(Remote(e));

    // ---- decisions (Harrier's own fields)
    public static string? DecisionHook(HarrierEvent e, string? arg) => e is DecisionEvent d ? d.Hook : null;

    public static string? DecisionAction(HarrierEvent e, string? arg) => e is DecisionEvent d ? d.Action : null;

    public static string? DecisionPolicy(HarrierEvent e, string? arg) => e is DecisionEvent d ? d.Policy : null;

    public static string? DecisionSubject(HarrierEvent e, string? arg) => e is DecisionEvent d ? d.Subject : null;

    // ---- privilege events (Harrier's own fields)
    public static bool? EvtFdIsSocket(HarrierEvent e, string? arg) => e is PrivilegeEvent p ? p.FdIsSocket : null;
}
