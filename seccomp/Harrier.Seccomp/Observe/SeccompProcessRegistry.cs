using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Harrier.Events;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Observe;

/// <summary>
/// Turns what the probes observe about processes started by <c>harrier exec</c> into seccomp decisions: the
/// kernel filter itself emits nothing, but a syscall it failed returns exactly the profile's errno, and a
/// <c>kill_process</c> ends the process with SIGSYS. Given the probes' syscall-exit event of a registered
/// process (or of a descendant, which inherits the filter), <see cref="TryExplain"/> builds the
/// <see cref="DecisionEvent"/> (<see cref="EventType.SeccompDecision"/>, source Seccomp, Hook <c>seccomp</c>).
/// <para>Limits: a failure with the same errno for another reason (a real EPERM) is indistinguishable and is
/// attributed to the profile; the syscall behind a SIGSYS kill is unknown (Syscall null); only syscalls the
/// probes capture can be explained. Thread-safe.</para>
/// <para>In the daemon, construct it with the run directory (<see cref="SeccompRunDirectory"/>): workloads started
/// by separate <c>harrier exec</c> processes are then picked up (re-scanned at most once per second), and
/// forgotten <see cref="ExitGrace"/> after their file disappears.</para>
/// </summary>
public sealed class SeccompProcessRegistry
{
    private const int Sigsys = 31;
    private const int Enosys = 38;
    private const int MaxAncestors = 64;

    private readonly ConcurrentDictionary<int, Entry> _byPid = new();
    private readonly TimeProvider _time;
    private readonly string? _runDirectory;
    private readonly string _procRoot;
    private readonly HashSet<int> _fromDirectory = [];
    private readonly Lock _syncGate = new();
    private long _nextSyncTicks;
    private long _scannedStamp;
    private long _problems;

    /// <param name="time">Clock for the exit grace period and the directory re-scan.</param>
    /// <param name="exitGrace">How long an exited process stays known, so its late events (procexit) are still explained.</param>
    /// <param name="runDirectory">A <see cref="SeccompRunDirectory"/> to pick registrations of other processes from; null = in-process only.</param>
    public SeccompProcessRegistry(TimeProvider? time = null, TimeSpan? exitGrace = null, string? runDirectory = null, string procRoot = "/proc")
    {
        _time = time ?? TimeProvider.System;
        ExitGrace = exitGrace ?? TimeSpan.FromSeconds(5);
        _runDirectory = runDirectory;
        _procRoot = procRoot;
    }

    /// <summary>Invalid or unreadable registration files seen (each re-scan counts them again).</summary>
    public long DirectoryProblems => Interlocked.Read(ref _problems);

    /// <summary>Re-reads the run directory (if any) and drops entries past their exit grace; <see cref="TryExplain"/> does this at most once per second.</summary>
    public void SyncDirectory()
    {
        lock (_syncGate)
        {
            Interlocked.Exchange(ref _nextSyncTicks, _time.GetUtcNow().UtcTicks + TimeSpan.TicksPerSecond);
            Purge();
            if (_runDirectory is null)
            {
                return;
            }

            var problems = new List<string>();
            Interlocked.Exchange(ref _scannedStamp, DirectoryStamp());
            var live = SeccompRunDirectory.ReadAll(_runDirectory, problems, _procRoot);
            Interlocked.Add(ref _problems, problems.Count);
            var seen = new HashSet<int>();
            foreach (var (pid, profile) in live)
            {
                seen.Add(pid);
                if (_fromDirectory.Add(pid) || !_byPid.ContainsKey(pid))
                {
                    _byPid[pid] = new Entry(profile);
                }
            }

            foreach (var pid in _fromDirectory.Where(p => !seen.Contains(p)).ToList())
            {
                _fromDirectory.Remove(pid);
                MarkExited(pid);
            }
        }
    }

    public TimeSpan ExitGrace { get; }

    /// <summary>The run directory's modification time: it changes whenever a registration is added or removed.</summary>
    private long DirectoryStamp()
    {
        try
        {
            return _runDirectory is null ? 0 : Directory.GetLastWriteTimeUtc(_runDirectory).Ticks;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Number of registered root processes (exited ones included until their grace ends).</summary>
    public int Count
    {
        get
        {
            Purge();
            return _byPid.Count;
        }
    }

    /// <summary>Records that <paramref name="pid"/> runs under <paramref name="profile"/> (from its exec on).</summary>
    public void Register(int pid, SeccompProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Purge();
        _byPid[pid] = new Entry(profile);
    }

    /// <summary>Marks a registered process as exited: it is forgotten after <see cref="ExitGrace"/>.</summary>
    public void MarkExited(int pid)
    {
        if (_byPid.TryGetValue(pid, out var e))
        {
            Interlocked.Exchange(ref e.ExitedAtTicks, _time.GetUtcNow().UtcTicks);
        }
    }

    /// <summary>Forgets a process now.</summary>
    public bool Unregister(int pid) => _byPid.TryRemove(pid, out _);

    private void Purge()
    {
        long now = _time.GetUtcNow().UtcTicks;
        foreach (var (pid, e) in _byPid)
        {
            long at = Interlocked.Read(ref e.ExitedAtTicks);
            if (at != 0 && now - at >= ExitGrace.Ticks)
            {
                _byPid.TryRemove(pid, out _);
            }
        }
    }

    /// <summary>The decision the profile took for this observed event, if the event is one the profile explains.</summary>
    public bool TryExplain(HarrierEvent ev, [NotNullWhen(true)] out DecisionEvent? decision)
    {
        ArgumentNullException.ThrowIfNull(ev);
        decision = null;

        // Housekeeping (directory re-scan, purge of exited entries) at most once a second: the per-event path
        // is a clock read and dictionary lookups, allocation-free unless a decision is built.
        if (_time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _nextSyncTicks))
        {
            SyncDirectory();
        }

        Entry? entry = null;
        if (_byPid.IsEmpty || !TryFind(ev, out entry))
        {
            // A failure or SIGSYS death of a process we do not know yet may come from a workload whose registration
            // arrived after the last scan (harrier exec writes it as the workload starts): when the run directory
            // changed since the last scan (one stat), re-scan now rather than wait up to a second and miss the
            // workload's first calls.
            bool candidate = ev.Res < 0 || ev is ProcessEvent { Type: EventType.ProcExit, ExitSignal: Sigsys };
            if (!candidate || _runDirectory is null || DirectoryStamp() == Interlocked.Read(ref _scannedStamp))
            {
                return false;
            }

            SyncDirectory();
            if (_byPid.IsEmpty || !TryFind(ev, out entry))
            {
                return false;
            }
        }

        if (ev is ProcessEvent { Type: EventType.ProcExit, ExitSignal: Sigsys })
        {
            if (!entry.Kills)
            {
                return false;
            }

            decision = Build(ev, entry, syscall: null, action: "killed");
            return true;
        }

        if (ev.Res >= 0)
        {
            return false;
        }

        string name = EventTypes.Name(ev.Type);
        var (action, errno) = entry.Lookup(name);
        bool explained = action switch
        {
            SeccompAction.Errno => -ev.Res == (errno ?? 1),
            SeccompAction.Trace => -ev.Res == Enosys, // no tracer attached: the kernel fails the call with ENOSYS
            _ => false, // notify decisions are reported by the supervisor itself
        };
        if (!explained)
        {
            return false;
        }

        decision = Build(ev, entry, name, "denied");
        return true;
    }

    private bool TryFind(HarrierEvent ev, [NotNullWhen(true)] out Entry? entry)
    {
        if (_byPid.TryGetValue(ev.Pid, out entry))
        {
            return true;
        }

        var p = ev.Process?.Parent;
        for (int i = 0; p is not null && i < MaxAncestors; i++, p = p.Parent)
        {
            if (_byPid.TryGetValue(p.Pid, out entry))
            {
                return true;
            }
        }

        return ev.Process is null && ev.Ppid != 0 && _byPid.TryGetValue(ev.Ppid, out entry);
    }

    private static DecisionEvent Build(HarrierEvent ev, Entry entry, string? syscall, string action) => new()
    {
        Type = EventType.SeccompDecision,
        Source = EventSource.Seccomp,
        EventId = ev.EventId,
        TimestampNs = ev.TimestampNs,
        KTimeNs = ev.KTimeNs,
        Res = ev.Res,
        Pid = ev.Pid,
        Tid = ev.Tid,
        Ppid = ev.Ppid,
        Uid = ev.Uid,
        Gid = ev.Gid,
        LoginUid = ev.LoginUid,
        Comm = ev.Comm,
        CgroupId = ev.CgroupId,
        ProcStartNs = ev.ProcStartNs,
        Process = ev.Process,
        Hook = "seccomp",
        Syscall = syscall,
        Action = action,
        Policy = entry.Profile.Source,
        Subject = ev switch
        {
            FileEvent f => f.Path ?? f.RawPath,
            NetworkEvent n => (n.Type == EventType.Bind ? n.Local : n.Remote).ToString() is { Length: > 0 } s ? s : null,
            ProcessEvent p => p.Filename,
            _ => null,
        },
    };

    private sealed class Entry
    {
        private readonly Dictionary<string, (SeccompAction Action, int? Errno)> _byName = new(StringComparer.Ordinal);

        public Entry(SeccompProfile profile)
        {
            Profile = profile;
            foreach (var rule in profile.Syscalls)
            {
                foreach (var n in rule.Names)
                {
                    _byName[n] = (rule.Action, rule.Errno);
                }
            }

            Kills = IsKill(profile.DefaultAction) || profile.Syscalls.Any(r => IsKill(r.Action));
        }

        public SeccompProfile Profile { get; }

        public bool Kills { get; }

        /// <summary>UTC ticks of the exit, 0 while running.</summary>
        public long ExitedAtTicks;

        public (SeccompAction Action, int? Errno) Lookup(string name) =>
            _byName.TryGetValue(name, out var a) ? a : (Profile.DefaultAction, Profile.DefaultErrno);

        private static bool IsKill(SeccompAction a) => a is SeccompAction.Kill or SeccompAction.KillProcess or SeccompAction.Trap;
    }
}
