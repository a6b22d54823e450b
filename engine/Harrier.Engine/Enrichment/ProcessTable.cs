using System.Diagnostics;
using Harrier.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Engine.Enrichment;

/// <summary>
/// The process table (Falco's thread table, Tetragon's process cache): one <see cref="ProcessInfo"/> per live
/// process, seeded from procfs by <see cref="Seed"/> and kept current by <see cref="Enrich"/> from the event
/// stream (fork family, exec, exit). Entries are keyed by (pid, start time) so a reused pid is detected.
/// Exited processes stay resolvable for a while (a bounded grace list) so late events of theirs still enrich.
/// </summary>
/// <remarks>
/// <para>Bounded by <see cref="EnrichmentOptions.MaxProcesses"/> (live plus exited entries): past it exited entries
/// go first, then the least recently used live ones; every such eviction is counted in <see cref="Evictions"/>.</para>
/// <para>Looking up a known process allocates nothing; allocation happens only when an entry is created (fork,
/// exec, a procfs miss) or user names are reloaded.</para>
/// <para>Thread-safety: <see cref="Seed"/>, <see cref="Enrich"/> and <see cref="Find"/> must be called from one
/// thread (the pipeline's). The counters may be read from any thread.</para>
/// </remarks>
internal sealed partial class ProcessTable
{
    /// <summary>Clock ticks of /proc/PID/stat are USER_HZ, fixed at 100 per second on every Linux ABI.</summary>
    internal const ulong NsPerTick = 10_000_000;

    /// <summary>Start times from procfs are truncated to a tick; equal within this they are the same process.</summary>
    private const ulong StartToleranceNs = 2 * NsPerTick;

    /// <summary>A child seen before its parent's fork event started at most this long before that event.</summary>
    private const ulong ForkWindowNs = 1_000_000_000;

    private const int MaxParentDepth = 64;
    private const long CloneParent = 0x0000_8000;
    private const long CloneThread = 0x0001_0000;

    private readonly Dictionary<int, Entry> _live;
    private readonly Dictionary<int, Entry> _exited = new();
    private readonly Queue<Entry> _exitOrder;
    private readonly int _max;
    private readonly int _graceCapacity;
    private readonly ProcfsReader _procfs;
    private readonly UserResolver _users;
    private readonly ILogger _logger;
    private Entry? _head;
    private Entry? _tail;
    private int _count;
    private int _exitedCount;
    private long _evictions;
    private long _fdOverflows;
    private long _fdNamesTotal;
    private readonly long _maxFdNames;
    private long _procfsMisses;
    private long _pidReuses;
    private bool _warnedFull;
    private readonly CgroupPathResolver? _cgroups;
    private readonly ContainerMetadataReader? _containers;

    /// <summary>Creates an empty table; call <see cref="Seed"/> to load the running processes.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="users">Name resolver; by default one over <see cref="EnrichmentOptions.EtcRoot"/>.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="cgroups">Resolves a cgroup id to its path when a process's /proc entry is gone; by default the
    /// host's cgroup2 mount when <see cref="EnrichmentOptions.ProcRoot"/> is the real <c>/proc</c>, else none.</param>
    /// <param name="containers">Reads container metadata from the runtimes' state files; by default the host's when
    /// <see cref="EnrichmentOptions.ProcRoot"/> is the real <c>/proc</c>, else none.</param>
    public ProcessTable(EnrichmentOptions options, UserResolver? users = null, ILogger? logger = null, CgroupPathResolver? cgroups = null, ContainerMetadataReader? containers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _max = Math.Max(1, options.MaxProcesses);
        _maxFdNames = Math.Max(0, options.MaxFdNames);
        _graceCapacity = Math.Clamp(_max / 8, 1, 4096);
        _live = new Dictionary<int, Entry>(Math.Min(_max, 8192));
        _exitOrder = new Queue<Entry>(_graceCapacity + 1);
        _procfs = new ProcfsReader(options.ProcRoot);
        _users = users ?? new UserResolver(options.EtcRoot, logger: logger);
        _logger = logger ?? NullLogger.Instance;
        _cgroups = cgroups ?? (options.ProcRoot == "/proc" ? CgroupPathResolver.OpenHost() : null);
        _containers = containers ?? (options.ProcRoot == "/proc" ? new ContainerMetadataReader() : null);
    }

    /// <summary>Containers whose runtime metadata was read, and attempts that found none.</summary>
    public (long Read, long Missing) ContainerMetadata => _containers is { } c ? (c.Reads, c.Failures) : (0, 0);

    /// <summary>Live (not exited) entries.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Exited entries still kept for late events.</summary>
    public int ExitedCount => Volatile.Read(ref _exitedCount);

    /// <summary>Entries dropped because the table was full.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Processes procfs no longer had (or showed a different process for) when the table needed them;
    /// their entries were built from the event alone.</summary>
    public long ProcfsMisses => Interlocked.Read(ref _procfsMisses);

    /// <summary>Entries replaced because their pid was reused by a new process.</summary>
    public long PidReuses => Interlocked.Read(ref _pidReuses);

    /// <summary>The user and group name resolver the table uses.</summary>
    public UserResolver Users => _users;

    /// <summary>Loads every process procfs lists (parents first), up to the table's bound.</summary>
    /// <returns>The number of entries created.</returns>
    public int Seed()
    {
        long started = Stopwatch.GetTimestamp();
        int created = 0;
        foreach (int pid in _procfs.EnumeratePids())
        {
            if (!_live.ContainsKey(pid) && CreateFromProcfs(pid, expectedStart: 0, depth: 0) is not null)
            {
                created++;
            }
        }

        LogSeeded(_logger, created, _procfs.Root, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return created;
    }

    /// <summary>The live entry of a pid, else the most recent exited one, else null. Does not touch procfs.</summary>
    public ProcessInfo? Find(int pid) =>
        _live.TryGetValue(pid, out var e) ? e.Info : _exited.TryGetValue(pid, out var x) ? x.Info : null;

    /// <summary>
    /// Sets <see cref="HarrierEvent.Process"/> to the caller's entry (creating it from procfs, or from the event
    /// when procfs no longer has it) and applies what a <see cref="ProcessEvent"/> changes: fork family creates the
    /// child, a successful exec replaces name, executable and arguments, exit retires the entry. Events with a pid
    /// of 0 or less get no process.
    /// </summary>
    public void Enrich(HarrierEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Pid <= 0)
        {
            e.Process = null;
            return;
        }

        _users.Refresh();
        var entry = Resolve(e);
        e.Process = entry.Info;
        if (!entry.Info.Exited)
        {
            Observe(entry, e);
        }

        if (e is ProcessEvent pe && !entry.Info.Exited)
        {
            Apply(entry, pe);
        }
        else if (e is FileEvent fe)
        {
            TrackFd(entry, fe);
        }
        else if (e is NetworkEvent ne)
        {
            TrackPeer(entry, ne);
        }
        else if (e is PrivilegeEvent { Type: EventType.Capset, Res: 0 } cap && !entry.Info.Exited)
        {
            // capset(2) changes only the caller's own sets (pid 0 or its own tid); the event carries the new ones.
            entry.Info.Caps = new Capabilities((ulong)cap.Target2, cap.CapPermitted, cap.CapInheritable);
        }
    }

    /// <summary>
    /// True when enriching <paramref name="e"/> may change an entry that events enriched before it still point to
    /// (through <see cref="HarrierEvent.Process"/> and its ancestors): a fork, exec or exit; a capset; a process not
    /// in the table yet (creating it can evict or relink others); a pid reused; credentials, cgroup or parent that
    /// differ from the entry's. The pipeline evaluates the events before such a one first, so every event is judged
    /// against the process state of its own time, as Falco's one-at-a-time processing does. Conservative (it may say
    /// true when nothing would change); one dictionary lookup.
    /// </summary>
    public bool Changes(HarrierEvent e)
    {
        if (e.Pid <= 0)
        {
            return false;
        }

        if (e is ProcessEvent or PrivilegeEvent { Type: EventType.Capset } || !_live.TryGetValue(e.Pid, out var entry))
        {
            return true;
        }

        var info = entry.Info;
        return (e.ProcStartNs != 0 && (info.StartNs == 0 || !SameStart(info.StartNs, e.ProcStartNs)))
            || e.Uid != info.Uid
            || e.Gid != info.Gid
            || e.LoginUid != info.LoginUid
            || (e.CgroupId != 0 && e.CgroupId != info.CgroupId)
            || (e.Ppid > 0 && e.Ppid != info.Ppid)
            || (info.Parent is { Exited: true } && !entry.ParentChecked);
    }

    /// <summary>fds whose name was not remembered: the process had <see cref="FdNames.Capacity"/> named fds, or the
    /// table <see cref="EnrichmentOptions.MaxFdNames"/> in all.</summary>
    public long FdOverflows => Interlocked.Read(ref _fdOverflows);

    /// <summary>fd names held now, over all processes.</summary>
    public long FdNamesHeld => _fdNamesTotal;

    /// <summary>A forked child's copy of its parent's fd names, within the table's bound.</summary>
    private FdNames? InheritFds(FdNames? parent)
    {
        if (parent is null || parent.Count == 0)
        {
            return null;
        }

        if (_fdNamesTotal + parent.Count > _maxFdNames)
        {
            Interlocked.Add(ref _fdOverflows, parent.Count);
            return null;
        }

        _fdNamesTotal += parent.Count;
        return parent.Copy();
    }

    /// <summary>Drops an entry's fd names (exit, eviction, replacement).</summary>
    private void ReleaseFds(Entry entry)
    {
        if (entry.Fds is { } fds)
        {
            _fdNamesTotal -= fds.Count;
            entry.Fds = null;
        }
    }

    /// <summary>
    /// The peer each socket fd last connected or sent to, so a sendto/sendmsg to another destination is flagged as
    /// changing the fd's name (Falco's fd.name_changed: an unconnected UDP socket's tuple follows its destinations).
    /// Bounded per process (<see cref="MaxPeers"/>; full means forgotten and started again, so the next send to each
    /// counts as a change: reported too often rather than missed).
    /// </summary>
    private static void TrackPeer(Entry entry, NetworkEvent ne)
    {
        switch (ne.Type)
        {
            case EventType.Connect when (ne.Res >= 0 || ne.Res == -115) && ne.Remote.IsSet: // EINPROGRESS: connecting
                RememberPeer(entry, ne.Fd, ne.Remote);
                break;
            case EventType.Sendto or EventType.Sendmsg when ne.Res >= 0 && ne.Remote.IsSet:
                ne.NameChanged = !(entry.Peers is { } peers && peers.TryGetValue(ne.Fd, out var last) && last == ne.Remote);
                if (ne.NameChanged)
                {
                    RememberPeer(entry, ne.Fd, ne.Remote);
                }

                break;
        }
    }

    /// <summary>Most socket peers remembered per process.</summary>
    internal const int MaxPeers = 64;

    private static void RememberPeer(Entry entry, int fd, SockAddress peer)
    {
        var peers = entry.Peers ??= new Dictionary<int, SockAddress>();
        if (peers.Count >= MaxPeers && !peers.ContainsKey(fd))
        {
            peers.Clear();
        }

        peers[fd] = peer;
    }

    /// <summary>
    /// Successful opens name their fd; a close takes the name back into the event (<c>fd.name</c> of close, as in
    /// Falco). Only fds opened while Harrier captured open events are known: others close with no name.
    /// </summary>
    private void TrackFd(Entry entry, FileEvent fe)
    {
        switch (fe.Type)
        {
            case EventType.Open or EventType.Openat or EventType.Openat2 or EventType.Creat:
                if (fe.Res >= 0 && fe.Path is { } path && !entry.Info.Exited && _maxFdNames > 0)
                {
                    entry.Fds ??= new FdNames();
                    int fd = (int)fe.Res;
                    bool isNew = !entry.Fds.Contains(fd);
                    if (!entry.Fds.Set(fd, path, fe.Flags, mayGrow: _fdNamesTotal < _maxFdNames))
                    {
                        Interlocked.Increment(ref _fdOverflows);
                    }
                    else if (isNew)
                    {
                        _fdNamesTotal++;
                    }
                }

                break;
            case EventType.Close:
                entry.Peers?.Remove(fe.Fd);
                // close releases the fd even when it fails with EINTR/EIO; EBADF means it named nothing
                if (fe.Path is null && entry.Fds?.Take(fe.Fd) is { } name)
                {
                    fe.Path = name;
                    _fdNamesTotal--;
                }

                break;
        }
    }

    private Entry Resolve(HarrierEvent e)
    {
        int pid = e.Pid;
        ulong start = e.ProcStartNs;
        if (_live.TryGetValue(pid, out var entry))
        {
            ulong known = entry.Info.StartNs;
            if (known == 0 && start != 0 && entry.ForkedAtNs != 0 && start > entry.ForkedAtNs + StartToleranceNs)
            {
                // Created by a fork event, never heard from, and this process started after that fork:
                // the forked child exited unseen (a lost event) and its pid was reused.
                known = entry.ForkedAtNs;
            }

            if (start == 0 || known == 0 || SameStart(known, start))
            {
                if (known == 0)
                {
                    entry.Info.StartNs = start;
                }

                Touch(entry);
                return entry;
            }

            if (_exited.TryGetValue(pid, out var late) && SameStart(late.Info.StartNs, start))
            {
                return late;
            }

            if (start < known)
            {
                // An older process with this pid whose exit was never seen: describe it without disturbing the newer entry.
                return Detached(e);
            }

            Interlocked.Increment(ref _pidReuses);
            Retire(entry);
        }
        else if (_exited.TryGetValue(pid, out var gone)
            && (start == 0 || gone.Info.StartNs == 0 || SameStart(gone.Info.StartNs, start)))
        {
            return gone;
        }

        return CreateFromProcfs(pid, start, depth: 0) ?? CreateFromEvent(e);
    }

    /// <summary>Hit-path bookkeeping: credentials, cgroup and parent changes. Allocates only when something changed.</summary>
    private void Observe(Entry entry, HarrierEvent e)
    {
        var info = entry.Info;
        if (entry.UserVersion != _users.Version)
        {
            entry.UserVersion = _users.Version;
            info.UserName = _users.UserName(info.Uid);
            info.GroupName = _users.GroupName(info.Gid);
            info.LoginUserName = LoginName(info.LoginUid);
        }

        if (e.Uid != info.Uid)
        {
            info.Uid = e.Uid;
            info.UserName = _users.UserName(e.Uid);
        }

        if (e.Gid != info.Gid)
        {
            info.Gid = e.Gid;
            info.GroupName = _users.GroupName(e.Gid);
        }

        if (e.LoginUid != info.LoginUid)
        {
            info.LoginUid = e.LoginUid;
            info.LoginUserName = LoginName(e.LoginUid);
        }

        if (e.CgroupId != 0 && e.CgroupId != info.CgroupId)
        {
            info.CgroupId = e.CgroupId;
            if (entry.CgroupFresh)
            {
                entry.CgroupFresh = false; // just read from procfs: the path matches this id
            }
            else
            {
                RefreshCgroup(info); // moved (runc joins the container's cgroup between fork and exec)
            }
        }

        CheckParent(entry, e.Ppid);
    }

    private void CheckParent(Entry entry, int eventPpid)
    {
        var info = entry.Info;
        if (eventPpid > 0 && eventPpid != info.Ppid)
        {
            Relink(entry, eventPpid);
            return;
        }

        if (info.Parent is { Exited: true } && !entry.ParentChecked)
        {
            // The parent died: the kernel reparented us to a reaper; procfs tells which (checked once per parent).
            entry.ParentChecked = true;
            if (_procfs.TryReadStat(info.Pid, out var st) && st.Ppid != info.Ppid
                && (info.StartNs == 0 || SameStart(st.StartTicks * NsPerTick, info.StartNs)))
            {
                Relink(entry, st.Ppid);
            }
        }
    }

    private void Relink(Entry entry, int ppid)
    {
        var info = entry.Info;
        info.Ppid = ppid;
        info.Parent = ppid == info.Pid ? null : FindParent(ppid, depth: 1);
        entry.ParentChecked = false;
    }

    private void Apply(Entry entry, ProcessEvent pe)
    {
        switch (pe.Type)
        {
            case EventType.Fork or EventType.Vfork or EventType.Clone or EventType.Clone3:
                int child = pe.ChildPid > 0 ? pe.ChildPid : pe.Res > 0 && pe.Res <= int.MaxValue ? (int)pe.Res : 0;
                if (child > 0 && child != pe.Pid && (pe.Flags & CloneThread) == 0)
                {
                    OnFork(entry, child, pe);
                }

                break;
            case EventType.Execve or EventType.Execveat:
                if (pe.Res >= 0)
                {
                    OnExec(entry, pe);
                }

                break;
            case EventType.ProcExit:
                // Only the thread-group leader's exit ends the process.
                if (pe.Tid == 0 || pe.Tid == pe.Pid)
                {
                    Retire(entry);
                }

                break;
        }
    }

    private void OnFork(Entry parentEntry, int childPid, ProcessEvent pe)
    {
        var parent = parentEntry.Info;
        bool siblingOfCaller = (pe.Flags & CloneParent) != 0;
        int ppid = siblingOfCaller ? parent.Ppid : parent.Pid;
        var realParent = siblingOfCaller ? parent.Parent : parent;

        if (_live.TryGetValue(childPid, out var existing))
        {
            var seen = existing.Info;
            bool sameChild = seen.Ppid == ppid
                && (seen.StartNs == 0 || pe.KTimeNs == 0 || seen.StartNs + ForkWindowNs >= pe.KTimeNs);
            if (sameChild)
            {
                // The child's own first event raced ahead of this fork event and created it from procfs.
                seen.Parent = realParent;
                return;
            }

            Interlocked.Increment(ref _pidReuses);
            Retire(existing); // an older process with this pid whose exit was never seen
        }

        var info = new ProcessInfo
        {
            Pid = childPid,
            Ppid = ppid,
            StartNs = 0, // learnt from the child's first event
            Name = parent.Name,
            ExePath = parent.ExePath,
            Exe = parent.Exe,
            Args = parent.Args,
            Cwd = parent.Cwd,
            Tty = parent.Tty,
            Sid = parent.Sid,
            Pgid = parent.Pgid,
            Caps = parent.Caps,
            ExeLayer = parent.ExeLayer,
            Uid = parent.Uid,
            Gid = parent.Gid,
            LoginUid = parent.LoginUid,
            UserName = parent.UserName,
            GroupName = parent.GroupName,
            LoginUserName = parent.LoginUserName,
            ContainerId = parent.ContainerId,
            ContainerFullId = parent.ContainerFullId,
            ContainerRuntime = parent.ContainerRuntime,
            Container = parent.Container,
            CgroupPath = parent.CgroupPath,
            CgroupId = parent.CgroupId,
            Parent = realParent,
        };
        Insert(new Entry(info)
        {
            UserVersion = parentEntry.UserVersion,
            ForkedAtNs = pe.KTimeNs,
            Fds = InheritFds(parentEntry.Fds),
            Peers = parentEntry.Peers is { Count: > 0 } peers ? new Dictionary<int, SockAddress>(peers) : null,
        });
    }

    private void OnExec(Entry entry, ProcessEvent pe)
    {
        _fdNamesTotal -= entry.Fds?.OnExec() ?? 0;
        var info = entry.Info;
        var argv = pe.Argv;
        string? exePath = !string.IsNullOrEmpty(pe.ExePath) ? pe.ExePath : null;
        exePath ??= _procfs.ReadLink(info.Pid, "exe") is { Length: > 0 } link ? link : pe.Filename ?? string.Empty;

        info.Name = !string.IsNullOrEmpty(pe.Comm) ? pe.Comm : CommOf(exePath);
        info.ExePath = exePath;
        info.Exe = argv.Count > 0 ? argv[0] : pe.Filename ?? exePath;
        if (argv.Count > 1)
        {
            // The event's list belongs to a pooled event: copy it.
            var args = new string[argv.Count - 1];
            for (int i = 1; i < argv.Count; i++)
            {
                args[i - 1] = argv[i];
            }

            info.Args = args;
        }
        else
        {
            info.Args = Array.Empty<string>();
        }

        // exec is where Falco takes a process's environment and where a shell's earlier chdir shows: read both
        // while the new image runs (a process that already exited keeps what it had).
        if (_procfs.ReadEnviron(info.Pid) is { Length: > 0 } env)
        {
            info.Env = env;
        }

        if (_procfs.ReadLink(info.Pid, "cwd") is { Length: > 0 } cwd)
        {
            info.Cwd = cwd;
        }

        // A process that called setsid() or took a controlling terminal after its fork (script, login, sshd's
        // session child) no longer has its parent's: exec is where Falco takes proc.tty, proc.sid and proc.vpgid.
        if (_procfs.TryReadStat(info.Pid, out var stat))
        {
            info.Tty = stat.TtyNr;
            info.Sid = stat.Session;
            info.Pgid = stat.Pgrp;
        }

        // The sets the new image runs with (setuid/file capabilities apply at exec); a source without them: procfs.
        Capabilities? procCaps = null;
        if (pe.Caps is null)
        {
            _procfs.TryReadStatus(info.Pid, out _, out _, out procCaps);
        }

        info.Caps = pe.Caps ?? procCaps ?? info.Caps;
        info.ExeLayer = pe.ExeLayer;

        info.FromProcfs = false;
        if (pe.CgroupId == 0)
        {
            RefreshCgroup(info); // no cgroup id from the source: procfs is the only way to see a container join
        }
        else if (info.Container is null && info.ContainerRuntime.Length > 0)
        {
            // the runtime had not written its state when the container's first process appeared: try again (the
            // reader keeps misses for a few seconds, so this is a dictionary lookup most of the time)
            info.Container = _containers?.Lookup(info.ContainerFullId, info.ContainerRuntime);
        }
    }

    /// <summary>Marks the entry exited and moves it to the bounded grace list.</summary>
    private void Retire(Entry entry)
    {
        var info = entry.Info;
        if (_live.TryGetValue(info.Pid, out var current) && ReferenceEquals(current, entry))
        {
            _live.Remove(info.Pid);
            Unlink(entry);
            _count--;
        }

        info.Exited = true;
        ReleaseFds(entry);
        if (_exited.TryGetValue(info.Pid, out var older) && !ReferenceEquals(older, entry))
        {
            _exitedCount--;
        }

        _exited[info.Pid] = entry;
        _exitedCount++;
        _exitOrder.Enqueue(entry);
        while (_exitOrder.Count > _graceCapacity)
        {
            DropOldestExited();
        }
    }

    /// <summary>Removes the oldest grace-list entry; true when it was still resolvable.</summary>
    private bool DropOldestExited()
    {
        var oldest = _exitOrder.Dequeue();
        if (_exited.TryGetValue(oldest.Info.Pid, out var current) && ReferenceEquals(current, oldest))
        {
            _exited.Remove(oldest.Info.Pid);
            _exitedCount--;
            return true;
        }

        return false;
    }

    private ProcessInfo? FindParent(int ppid, int depth)
    {
        if (ppid <= 0)
        {
            return null;
        }

        if (_live.TryGetValue(ppid, out var p))
        {
            return p.Info;
        }

        if (_exited.TryGetValue(ppid, out var gone))
        {
            return gone.Info;
        }

        return depth < MaxParentDepth ? CreateFromProcfs(ppid, 0, depth)?.Info : null;
    }

    /// <summary>Builds an entry from procfs and links its parent (created too, recursively, when missing).
    /// Null when procfs does not have the pid or shows another process than <paramref name="expectedStart"/>.</summary>
    private Entry? CreateFromProcfs(int pid, ulong expectedStart, int depth)
    {
        if (!_procfs.TryReadStat(pid, out var st))
        {
            if (expectedStart != 0 || depth == 0)
            {
                Interlocked.Increment(ref _procfsMisses);
            }

            return null;
        }

        ulong procStart = st.StartTicks * NsPerTick;
        if (expectedStart != 0 && !SameStart(procStart, expectedStart))
        {
            Interlocked.Increment(ref _procfsMisses);
            return null;
        }

        _procfs.TryReadStatus(pid, out uint uid, out uint gid, out var procCaps);
        uint loginUid = _procfs.ReadLoginUid(pid);
        var argv = _procfs.ReadCmdline(pid);
        var info = new ProcessInfo
        {
            Pid = pid,
            Ppid = st.Ppid,
            StartNs = expectedStart != 0 ? expectedStart : procStart,
            Name = st.Comm,
            ExePath = _procfs.ReadLink(pid, "exe"),
            Exe = argv.Length > 0 ? argv[0] : string.Empty,
            Args = argv.Length > 1 ? argv[1..] : Array.Empty<string>(),
            Cwd = _procfs.ReadLink(pid, "cwd"),
            Env = _procfs.ReadEnviron(pid),
            Tty = st.TtyNr,
            Sid = st.Session,
            Pgid = st.Pgrp,
            Caps = procCaps,
            Uid = uid,
            Gid = gid,
            LoginUid = loginUid,
            UserName = _users.UserName(uid),
            GroupName = _users.GroupName(gid),
            LoginUserName = LoginName(loginUid),
            FromProcfs = true,
        };
        RefreshCgroup(info);
        var entry = new Entry(info) { UserVersion = _users.Version, CgroupFresh = true };
        Insert(entry);
        if (st.Ppid != pid)
        {
            info.Parent = FindParent(st.Ppid, depth + 1);
        }

        return entry;
    }

    /// <summary>An entry from the event's own fields, for a process procfs no longer shows.</summary>
    private Entry CreateFromEvent(HarrierEvent e)
    {
        var info = Describe(e);
        CgroupFromId(info);
        var entry = new Entry(info) { UserVersion = _users.Version };
        Insert(entry);
        if (e.Ppid > 0 && e.Ppid != e.Pid)
        {
            info.Parent = FindParent(e.Ppid, depth: 1);
        }

        return entry;
    }

    private Entry Detached(HarrierEvent e)
    {
        var info = Describe(e);
        CgroupFromId(info);
        info.Exited = true;
        info.Parent = e.Ppid > 0 && e.Ppid != e.Pid ? Find(e.Ppid) : null;
        return new Entry(info);
    }

    private ProcessInfo Describe(HarrierEvent e) => new()
    {
        Pid = e.Pid,
        Ppid = e.Ppid,
        StartNs = e.ProcStartNs,
        Name = e.Comm,
        Uid = e.Uid,
        Gid = e.Gid,
        LoginUid = e.LoginUid,
        UserName = _users.UserName(e.Uid),
        GroupName = _users.GroupName(e.Gid),
        LoginUserName = LoginName(e.LoginUid),
        CgroupId = e.CgroupId,
    };

    private void RefreshCgroup(ProcessInfo info)
    {
        var path = _procfs.ReadCgroupPath(info.Pid);
        if (path.Length == 0)
        {
            // Gone already (a short-lived command): the cgroup outlives it, and the event named it by id.
            path = _cgroups?.PathOf(info.CgroupId) ?? string.Empty;
        }

        if (path.Length == 0)
        {
            return; // unknown: keep what was known
        }

        SetCgroupPath(info, path);
    }

    /// <summary>For an entry built from an event alone (its /proc entry gone, the pid perhaps reused): the cgroup by id.</summary>
    private void CgroupFromId(ProcessInfo info)
    {
        if (_cgroups?.PathOf(info.CgroupId) is { } path)
        {
            SetCgroupPath(info, path);
        }
    }

    private void SetCgroupPath(ProcessInfo info, string path)
    {
        info.CgroupPath = path;
        ContainerIdParser.TryParse(path, out var id, out var fullId, out var runtime);
        info.ContainerId = id;
        info.ContainerFullId = fullId;
        info.ContainerRuntime = runtime;
        info.Container = runtime.Length > 0 ? _containers?.Lookup(fullId, runtime) : null;
    }

    private string LoginName(uint loginUid) => loginUid == uint.MaxValue ? string.Empty : _users.UserName(loginUid);

    private void Insert(Entry entry)
    {
        int pid = entry.Info.Pid;
        if (_live.TryGetValue(pid, out var old))
        {
            _live.Remove(pid);
            Unlink(old);
            ReleaseFds(old);
            _count--;
        }

        while (_count + _exitedCount >= _max)
        {
            EvictOne();
        }

        _live[pid] = entry;
        LinkAtHead(entry);
        _count++;
    }

    private void EvictOne()
    {
        if (!_warnedFull)
        {
            _warnedFull = true;
            LogFull(_logger, _max);
        }

        while (_exitOrder.Count > 0)
        {
            if (DropOldestExited())
            {
                Interlocked.Increment(ref _evictions);
                return;
            }
        }

        var victim = _tail!;
        _live.Remove(victim.Info.Pid);
        Unlink(victim);
        ReleaseFds(victim);
        _count--;
        Interlocked.Increment(ref _evictions);
    }

    private void Touch(Entry entry)
    {
        if (!ReferenceEquals(entry, _head))
        {
            Unlink(entry);
            LinkAtHead(entry);
        }
    }

    private void LinkAtHead(Entry entry)
    {
        entry.Prev = null;
        entry.Next = _head;
        if (_head is not null)
        {
            _head.Prev = entry;
        }

        _head = entry;
        _tail ??= entry;
    }

    private void Unlink(Entry entry)
    {
        if (entry.Prev is not null)
        {
            entry.Prev.Next = entry.Next;
        }
        else if (ReferenceEquals(_head, entry))
        {
            _head = entry.Next;
        }

        if (entry.Next is not null)
        {
            entry.Next.Prev = entry.Prev;
        }
        else if (ReferenceEquals(_tail, entry))
        {
            _tail = entry.Prev;
        }

        entry.Prev = entry.Next = null;
    }

    private static bool SameStart(ulong a, ulong b) => (a > b ? a - b : b - a) <= StartToleranceNs;

    private static string CommOf(string path)
    {
        var name = Path.GetFileName(path.AsSpan());
        return (name.Length > 15 ? name[..15] : name).ToString();
    }

    /// <summary>A table slot: the process and its place in the recency list.</summary>
    private sealed class Entry(ProcessInfo info)
    {
        public ProcessInfo Info { get; } = info;

        public Entry? Prev { get; set; }

        public Entry? Next { get; set; }

        /// <summary>The <see cref="UserResolver.Version"/> the names were resolved with.</summary>
        public int UserVersion { get; set; }

        /// <summary>For entries created by a fork event: that event's time (the child started before it), else 0.</summary>
        public ulong ForkedAtNs { get; set; }

        /// <summary>The cgroup path was just read from procfs: the first cgroup id seen needs no re-read.</summary>
        public bool CgroupFresh { get; set; }

        /// <summary>procfs was already asked for the real parent after the current parent exited.</summary>
        public bool ParentChecked { get; set; }

        /// <summary>Names of the fds opened while Harrier watched (null until the first open).</summary>
        public FdNames? Fds { get; set; }

        /// <summary>The peer each socket fd last connected or sent to (null until the first).</summary>
        public Dictionary<int, SockAddress>? Peers { get; set; }
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Information, Message = "Process table seeded with {Count} processes from {ProcRoot} in {ElapsedMs:F1} ms")]
    private static partial void LogSeeded(ILogger logger, int count, string procRoot, double elapsedMs);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Process table full (Enrichment:MaxProcesses = {Max}): evicting least recently used entries; see the evictions counter")]
    private static partial void LogFull(ILogger logger, int max);
}
