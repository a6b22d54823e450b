using System.Runtime.InteropServices;
using System.Text;
using Harrier.Engine.Abi;
using Harrier.Events;

namespace Harrier.Engine.Decoding;

/// <summary>
/// Turns raw probe records (<c>struct evt_record</c> + string area) into pooled <see cref="HarrierEvent"/>
/// instances. Instances handed out since the last <see cref="BeginBatch"/> stay valid until the next one; the
/// caller must <see cref="HarrierEvent.CloneEvent"/> what it keeps. Strings are created only for slots present,
/// through a cache so repeated paths and comms do not allocate. Malformed input is counted, never thrown.
/// Not thread-safe: one decoder thread.
/// </summary>
internal sealed class EventDecoder
{
    private const int OCreatWronlyTrunc = 0x241;
    private const int AtFdCwd = -100;

    private static readonly bool[] KnownOps = BuildKnownOps();

    private readonly Pool<ProcessEvent> _process = new();
    private readonly Pool<FileEvent> _file = new();
    private readonly Pool<NetworkEvent> _net = new();
    private readonly Pool<PrivilegeEvent> _priv = new();
    private readonly StringCache _paths = new(4096, 256);
    private readonly StringCache _comms = new(1024, 16);
    private readonly BootClock _clock;
    private readonly int _maxArgs;
    private readonly long[] _receivedPerOp = new long[AbiConstants.OpMax];
    private long _nextId;
    private long _lastClockRefresh = Environment.TickCount64;

    /// <summary>How often the boot-to-wall offset is sampled again (clock steps, NTP).</summary>
    private const long ClockRefreshMs = 1000;

    public EventDecoder(BootClock clock, int maxArgs = 32)
    {
        _clock = clock;
        _maxArgs = maxArgs;
    }

    /// <summary>Records that were too short, inconsistent, or of another ABI version.</summary>
    public long Malformed { get; private set; }

    /// <summary>Records with an op code this engine does not know.</summary>
    public long UnknownOps { get; private set; }

    /// <summary>Decoded records per op code (read from other threads without tearing).</summary>
    public long ReceivedOf(int op) => op is >= 0 and < AbiConstants.OpMax ? Volatile.Read(ref _receivedPerOp[op]) : 0;

    /// <summary>Recycles every instance handed out so far.</summary>
    public void BeginBatch()
    {
        long now = Environment.TickCount64;
        if (now - _lastClockRefresh >= ClockRefreshMs)
        {
            _clock.Refresh();
            _lastClockRefresh = now;
        }

        _process.Reset();
        _file.Reset();
        _net.Reset();
        _priv.Reset();
    }

    /// <summary>Decodes one record, or returns null (and counts why) when it is unusable.</summary>
    public HarrierEvent? Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < AbiConstants.RecordSize)
        {
            Malformed++;
            return null;
        }

        ref readonly EvtRecord r = ref MemoryMarshal.AsRef<EvtRecord>(data);
        if (r.AbiVersion != AbiConstants.Version || r.Hdr.Size > data.Length || r.Hdr.Size < AbiConstants.RecordSize)
        {
            Malformed++;
            return null;
        }

        var strings = data[AbiConstants.RecordSize..(int)r.Hdr.Size];
        for (int i = 0; i < AbiConstants.MaxStr; i++)
        {
            if (r.StrLen[i] != 0 && r.StrOff[i] + r.StrLen[i] > strings.Length)
            {
                Malformed++;
                return null;
            }
        }

        ushort op = r.Hdr.Op;
        if (op >= KnownOps.Length || !KnownOps[op])
        {
            UnknownOps++;
            return null;
        }

        var type = (EventType)op;
        HarrierEvent e;
        switch (EventTypes.ClassOf(type))
        {
            case EventClass.Process:
                var pe = _process.Next();
                FillProcess(pe, in r, strings, type);
                e = pe;
                break;
            case EventClass.File:
                var fe = _file.Next();
                FillFile(fe, in r, strings, type);
                e = fe;
                break;
            case EventClass.Network:
                var ne = _net.Next();
                FillNetwork(ne, in r, strings, type);
                e = ne;
                break;
            case EventClass.Privilege:
                var ve = _priv.Next();
                FillPrivilege(ve, in r, strings, type);
                e = ve;
                break;
            default:
                UnknownOps++;
                return null;
        }

        FillCommon(e, in r, type);
        _receivedPerOp[op]++;
        return e;
    }

    private void FillCommon(HarrierEvent e, in EvtRecord r, EventType type)
    {
        e.EventId = ++_nextId;
        e.Type = type;
        e.Source = EventSource.Syscall;
        e.KTimeNs = r.Hdr.KTime;
        e.TimestampNs = _clock.ToWallNs(r.Hdr.KTime);
        e.Res = r.Ret;
        e.Pid = (int)r.Hdr.Tgid;
        e.Tid = (int)r.Hdr.Tid;
        e.Ppid = (int)r.Task.Ppid;
        e.Uid = r.Task.Uid;
        e.Gid = r.Task.Gid;
        e.LoginUid = r.Task.LoginUid;
        ReadOnlySpan<byte> comm = r.Task.Comm;
        int nul = comm.IndexOf((byte)0);
        e.Comm = _comms.Get(nul >= 0 ? comm[..nul] : comm);
        e.CgroupId = r.Task.CgroupId;
        e.ProcStartNs = r.Task.StartNs;
        e.Truncated |= (r.Hdr.Flags & (AbiConstants.FlagTruncated | AbiConstants.FlagArgvTruncated | AbiConstants.FlagPathPartial)) != 0;
    }

    private static ReadOnlySpan<byte> Slot(in EvtRecord r, ReadOnlySpan<byte> strings, int slot)
    {
        int len = r.StrLen[slot];
        return len == 0 ? default : strings.Slice(r.StrOff[slot], len);
    }

    /// <summary>A C-string slot as a string (trailing NUL dropped), or null when absent.</summary>
    private string? Str(in EvtRecord r, ReadOnlySpan<byte> strings, int slot)
    {
        var s = Slot(in r, strings, slot);
        if (s.IsEmpty)
        {
            return null;
        }

        int nul = s.IndexOf((byte)0);
        return _paths.Get(nul >= 0 ? s[..nul] : s);
    }

    private static string? ResolvePath(string? raw, string? baseDir)
    {
        if (raw is null)
        {
            return null;
        }

        if (raw.Length > 0 && raw[0] == '/')
        {
            return PathNormalizer.Normalize(raw);
        }

        return baseDir is null ? raw : PathNormalizer.Resolve(baseDir, raw);
    }

    private void FillFile(FileEvent e, in EvtRecord r, ReadOnlySpan<byte> s, EventType type)
    {
        e.Reset();
        long a0 = (long)r.Args[0], a1 = (long)r.Args[1], a2 = (long)r.Args[2], a3 = (long)r.Args[3], a4 = (long)r.Args[4];
        e.RawPath = Str(in r, s, AbiConstants.SlotPath);
        string? resolved = Str(in r, s, AbiConstants.SlotResolved);
        e.NewRawPath = Str(in r, s, AbiConstants.SlotNewPath);
        e.NewPath = ResolvePath(e.NewRawPath, Str(in r, s, AbiConstants.SlotNewBase));
        e.Dirfd = AtFdCwd;
        switch (type)
        {
            case EventType.Open:
                e.Flags = a1;
                e.Mode = (uint)a2;
                break;
            case EventType.Openat:
                e.Dirfd = (int)a0;
                e.Flags = a2;
                e.Mode = (uint)a3;
                break;
            case EventType.Openat2:
                e.Dirfd = (int)a0;
                e.Flags = (long)r.Aux[0];
                e.Mode = (uint)r.Aux[1];
                break;
            case EventType.Creat:
                e.Flags = OCreatWronlyTrunc;
                e.Mode = (uint)a1;
                break;
            case EventType.Unlinkat:
                e.Dirfd = (int)a0;
                e.Flags = a2;
                break;
            case EventType.Renameat:
                e.Dirfd = (int)a0;
                break;
            case EventType.Renameat2:
                e.Dirfd = (int)a0;
                e.Flags = a4;
                break;
            case EventType.Mkdir:
            case EventType.Chmod:
                e.Mode = (uint)a1;
                break;
            case EventType.Mkdirat:
                e.Dirfd = (int)a0;
                e.Mode = (uint)a2;
                break;
            case EventType.Fchmod:
                e.Dirfd = (int)a0;
                e.Mode = (uint)a1;
                break;
            case EventType.Fchmodat:
                e.Dirfd = (int)a0;
                e.Mode = (uint)a2;
                e.Flags = a3;
                break;
            case EventType.Chown:
            case EventType.Lchown:
                e.OwnerUid = (int)a1;
                e.OwnerGid = (int)a2;
                break;
            case EventType.Fchown:
                e.Dirfd = (int)a0;
                e.OwnerUid = (int)a1;
                e.OwnerGid = (int)a2;
                break;
            case EventType.Fchownat:
                e.Dirfd = (int)a0;
                e.OwnerUid = (int)a2;
                e.OwnerGid = (int)a3;
                e.Flags = a4;
                break;
            case EventType.Linkat:
                e.Dirfd = (int)a0;
                e.Flags = a4;
                break;
            case EventType.Symlinkat:
                e.Dirfd = (int)a1;
                break;
            case EventType.Truncate:
                e.Length = a1;
                break;
            case EventType.Ftruncate:
                e.Dirfd = (int)a0;
                e.Length = a1;
                break;
            case EventType.Close:
                e.Fd = (int)a0; // the name it had is filled in by the process table's fd names
                break;
        }

        bool isOpen = type is EventType.Open or EventType.Openat or EventType.Openat2 or EventType.Creat;
        if (isOpen && r.Ret >= 0)
        {
            e.Fd = (int)r.Ret;
        }

        if (type is EventType.Symlink or EventType.Symlinkat)
        {
            e.Path = e.RawPath; // the link's target, as written into the link
        }
        else
        {
            e.Path = resolved ?? ResolvePath(e.RawPath, Str(in r, s, AbiConstants.SlotBase));
        }
    }

    private void FillProcess(ProcessEvent e, in EvtRecord r, ReadOnlySpan<byte> s, EventType type)
    {
        e.Reset();
        switch (type)
        {
            case EventType.Execve:
            case EventType.Execveat:
                e.Filename = Str(in r, s, AbiConstants.SlotExecFilename);
                e.ExePath = Str(in r, s, AbiConstants.SlotExecExe);
                if (e.ExePath is null && r.Ret == 0 && e.Filename is not null)
                {
                    e.ExePath = ResolvePath(e.Filename, Str(in r, s, AbiConstants.SlotExecCwd));
                }

                e.Argv = SplitArgv(Slot(in r, s, AbiConstants.SlotExecArgv), out bool cut);
                e.ArgvTruncated = cut || (r.Hdr.Flags & AbiConstants.FlagArgvTruncated) != 0;
                if (r.Ret >= 0)
                {
                    e.Caps = new Capabilities(r.Aux[2], r.Aux[3], r.Aux[4]); // set after the exec (sched_process_exec)
                    e.ExeLayer = (r.Hdr.Flags & AbiConstants.FlagExeUpperLayer) != 0 ? OverlayLayer.Upper
                        : (r.Hdr.Flags & AbiConstants.FlagExeLowerLayer) != 0 ? OverlayLayer.Lower
                        : OverlayLayer.None;
                }

                if (type == EventType.Execveat && r.Ret < 0)
                {
                    e.Flags = (int)r.Args[0];
                }

                break;
            case EventType.ProcExit:
                uint status = (uint)r.Aux[0];
                e.ExitSignal = (int)(status & 0x7f);
                e.CoreDumped = (status & 0x80) != 0;
                e.ExitCode = (int)((status >> 8) & 0xff);
                break;
            default: // fork family
                e.Flags = (long)r.Aux[0];
                e.ChildPid = (int)r.Aux[1];
                break;
        }
    }

    private IReadOnlyList<string> SplitArgv(ReadOnlySpan<byte> argv, out bool truncated)
    {
        truncated = false;
        if (argv.IsEmpty)
        {
            return Array.Empty<string>();
        }

        if (argv[^1] == 0)
        {
            argv = argv[..^1];
        }

        var list = new List<string>(Math.Min(_maxArgs, 8));
        while (true)
        {
            if (list.Count == _maxArgs)
            {
                truncated = true;
                break;
            }

            int nul = argv.IndexOf((byte)0);
            list.Add(Encoding.UTF8.GetString(nul >= 0 ? argv[..nul] : argv));
            if (nul < 0)
            {
                break;
            }

            argv = argv[(nul + 1)..];
        }

        return list;
    }

    private void FillNetwork(NetworkEvent e, in EvtRecord r, ReadOnlySpan<byte> s, EventType type)
    {
        e.Reset();
        var net = r.Net;
        bool hasSock = (r.Hdr.Flags & AbiConstants.FlagFdSocket) != 0;
        e.Fd = (int)r.Args[0];
        if (hasSock)
        {
            e.Domain = net.Family;
            e.SockType = net.Type;
            e.Protocol = net.Protocol;
            e.Local = SockAddrParser.FromKernel(net.Local);
            e.Remote = SockAddrParser.FromKernel(net.Remote);
        }

        var user = Slot(in r, s, 0);
        switch (type)
        {
            case EventType.Socket:
                e.Fd = (int)r.Ret;
                e.Domain = (int)r.Args[0];
                e.SockType = (int)r.Args[1];
                e.Protocol = (int)r.Args[2];
                break;
            case EventType.Connect:
                if (!user.IsEmpty)
                {
                    e.Remote = SockAddrParser.ParseUser(user);
                }

                break;
            case EventType.Bind:
                if (!user.IsEmpty)
                {
                    e.Local = SockAddrParser.ParseUser(user);
                }

                break;
            case EventType.Listen:
                e.Backlog = (int)r.Args[1];
                break;
            case EventType.Sendto:
                e.Size = (long)r.Args[2];
                e.SocketConnected = e.Remote.IsSet; // the kernel socket's own peer, before the destination passed
                if (!user.IsEmpty)
                {
                    e.Remote = SockAddrParser.ParseUser(user);
                }

                break;
            case EventType.Sendmsg:
                e.Size = r.Ret > 0 ? r.Ret : 0;
                e.SocketConnected = e.Remote.IsSet;
                if (!user.IsEmpty)
                {
                    e.Remote = SockAddrParser.ParseUser(user);
                }

                break;
        }
    }

    private void FillPrivilege(PrivilegeEvent e, in EvtRecord r, ReadOnlySpan<byte> s, EventType type)
    {
        e.Reset();
        long a0 = (long)r.Args[0], a1 = (long)r.Args[1], a2 = (long)r.Args[2], a3 = (long)r.Args[3];
        switch (type)
        {
            case EventType.Setuid:
            case EventType.Setgid:
                e.Id0 = (int)a0;
                break;
            case EventType.Setreuid:
            case EventType.Setregid:
                e.Id0 = (int)a0;
                e.Id1 = (int)a1;
                break;
            case EventType.Setresuid:
            case EventType.Setresgid:
                e.Id0 = (int)a0;
                e.Id1 = (int)a1;
                e.Id2 = (int)a2;
                break;
            case EventType.Capset:
                e.Target = (int)r.Aux[0];
                e.Target2 = (long)r.Aux[1];
                e.CapPermitted = r.Aux[2];
                e.CapInheritable = r.Aux[3];
                break;
            case EventType.Ptrace:
                e.Request = a0;
                e.Target = (int)a1;
                break;
            case EventType.Mount:
                e.Name = Str(in r, s, 0);
                e.TargetPath = Str(in r, s, 1);
                e.FsType = Str(in r, s, 2);
                e.Flags = a3;
                break;
            case EventType.Umount2:
                e.TargetPath = Str(in r, s, 1);
                e.Flags = a1;
                break;
            case EventType.InitModule:
                e.FdName = Str(in r, s, 1); // module parameters
                break;
            case EventType.FinitModule:
                e.Target = (int)a0;
                e.Name = Str(in r, s, 0);
                e.Flags = a2;
                break;
            case EventType.DeleteModule:
                e.Name = Str(in r, s, 0);
                e.Flags = a1;
                break;
            case EventType.Bpf:
                e.Request = a0;
                break;
            case EventType.MemfdCreate:
                e.Name = Str(in r, s, 0);
                e.Flags = a1;
                break;
            case EventType.Unshare:
                e.Flags = a0;
                break;
            case EventType.Setns:
                e.Target = (int)a0;
                e.Flags = a1;
                e.FdName = Str(in r, s, 0);
                break;
            case EventType.Dup:
            case EventType.Dup2:
            case EventType.Dup3:
                e.Target = (int)a0;
                if (type != EventType.Dup)
                {
                    e.Target2 = (int)a1;
                }

                if (type == EventType.Dup3)
                {
                    e.Flags = a2;
                }

                e.FdIsSocket = (r.Hdr.Flags & AbiConstants.FlagFdSocket) != 0;
                if (e.FdIsSocket)
                {
                    var net = r.Net;
                    e.FdSocketFamily = net.Family;
                    e.FdLocal = SockAddrParser.FromKernel(net.Local);
                    e.FdRemote = SockAddrParser.FromKernel(net.Remote);

                    // as Falco names an IP socket: local->remote; other sockets by inode
                    e.FdName = e.FdLocal.IsSet ? $"{e.FdLocal}->{e.FdRemote}" : $"socket:[{net.Ino}]";
                }
                else
                {
                    e.FdName = Str(in r, s, 0);
                }

                break;
        }
    }

    private static bool[] BuildKnownOps()
    {
        var known = new bool[AbiConstants.OpMax];
        foreach (var t in Enum.GetValues<EventType>())
        {
            if (t != EventType.None && (ushort)t < known.Length && EventTypes.ClassOf(t) != EventClass.Decision)
            {
                known[(ushort)t] = true;
            }
        }

        return known;
    }

    /// <summary>A grow-only list of reusable instances; <see cref="Reset"/> makes them all available again.</summary>
    private sealed class Pool<T>
        where T : HarrierEvent, new()
    {
        private readonly List<T> _items = new();
        private int _used;

        public T Next()
        {
            if (_used == _items.Count)
            {
                _items.Add(new T());
            }

            return _items[_used++];
        }

        public void Reset() => _used = 0;
    }
}
