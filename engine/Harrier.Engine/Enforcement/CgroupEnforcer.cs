using System.Net.Sockets;
using Harrier.Engine.Decoding;
using Harrier.Events;
using Harrier.Interop;
using Harrier.Interop.Bpf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// cgroup v2 network deny: loads lsm-hooks/programs/cgroup_net.bpf.c (cgroup/connect4, connect6, sendmsg4,
/// sendmsg6, bind4, bind6), attaches it to cgroup directories with BPF links, and maintains the deny tables. A
/// connect (or unconnected UDP send) or bind by a process in an attached cgroup (or below it) whose address
/// matches a deny entry fails with EPERM (IPv4-mapped IPv6 destinations are checked against IPv4 entries); every
/// match is reported as a <see cref="DecisionEvent"/> (source <see cref="EventSource.Cgroup"/>) to the callback.
/// <para>Thread-safety: <see cref="AddDeny"/>, <see cref="RemoveDeny"/>, <see cref="Attach"/>, <see cref="Detach"/> and
/// <see cref="ReadStats"/> may be called from any thread; decisions are delivered on the one thread that calls
/// <see cref="PollDecisions"/> (or runs <see cref="RunAsync"/>). <see cref="RemoveExcept"/> removes what is not in
/// its list when it reads the map, so an entry added by another thread meanwhile may go: serialize the two (the
/// coordinator does). Dispose detaches every program.</para>
/// <para>Errors: <see cref="BpfException"/> when the kernel refuses to load or attach (no CAP_BPF/CAP_NET_ADMIN,
/// no cgroup v2), <see cref="DirectoryNotFoundException"/> for a missing cgroup directory.</para>
/// </summary>
public sealed partial class CgroupEnforcer : IDisposable
{
    /// <summary>The embedded object's resource name (built by <c>make -C lsm-hooks</c>).</summary>
    public const string ResourceName = "lsm-hooks/cgroup_net.bpf.o";

    private static readonly string[] ProgramNames = ["harrier_cg_connect4", "harrier_cg_connect6", "harrier_cg_sendmsg4", "harrier_cg_sendmsg6", "harrier_cg_bind4", "harrier_cg_bind6"];

    private readonly BpfObjectHandle _obj;
    private readonly nint[] _programs;
    private readonly int _deny4Fd;
    private readonly int _deny6Fd;
    private readonly int _statsFd;
    private readonly RingBufferPoller _poller;
    private readonly Action<DecisionEvent> _onDecision;
    private readonly ILogger _logger;
    private readonly long _bootOffsetNs;
    private readonly Dictionary<string, (int Fd, BpfLinkHandle[] Links)> _attached = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _decoded;
    private long _malformed;
    private bool _disposed;

    private CgroupEnforcer(ReadOnlySpan<byte> elf, Action<DecisionEvent> onDecision, ILogger logger)
    {
        _onDecision = onDecision;
        _logger = logger;
        _bootOffsetNs = new BootClock().OffsetNs;
        _obj = Libbpf.OpenObject(elf, "harrier_cgroup_net");
        try
        {
            Libbpf.LoadObject(_obj);
            _programs = ProgramNames.Select(n =>
            {
                nint p = Libbpf.bpf_object__find_program_by_name(_obj.DangerousGetHandle(), n);
                return p != 0 ? p : throw new BpfException($"bpf_object__find_program_by_name({n})", 2);
            }).ToArray();
            _deny4Fd = Libbpf.bpf_map__fd(Libbpf.FindMap(_obj, "cg_deny4"));
            _deny6Fd = Libbpf.bpf_map__fd(Libbpf.FindMap(_obj, "cg_deny6"));
            _statsFd = Libbpf.bpf_map__fd(Libbpf.FindMap(_obj, "cg_stats"));
            _poller = new RingBufferPoller(Libbpf.bpf_map__fd(Libbpf.FindMap(_obj, "cg_decisions")), new Sink(this));
        }
        catch
        {
            _obj.Dispose();
            throw;
        }
    }

    /// <summary>Loads the programs embedded in Harrier.Engine (or <paramref name="objectBytes"/>).</summary>
    /// <param name="onDecision">Gets every deny / would-deny decision on the polling thread; must not block long. It may keep the event.</param>
    public static CgroupEnforcer Load(Action<DecisionEvent> onDecision, ILogger? logger = null, byte[]? objectBytes = null)
    {
        ArgumentNullException.ThrowIfNull(onDecision);
        if (objectBytes is null)
        {
            using var s = typeof(CgroupEnforcer).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new BpfNotSupportedException($"embedded {ResourceName}", "build lsm-hooks (make -C lsm-hooks) before Harrier.Engine", 2);
            objectBytes = new byte[s.Length];
            s.ReadExactly(objectBytes);
        }

        var enforcer = new CgroupEnforcer(objectBytes, onDecision, logger ?? NullLogger.Instance);
        LogLoaded(enforcer._logger);
        return enforcer;
    }

    /// <summary>Attaches the six programs to a cgroup v2 directory (its descendants are covered too). Idempotent.</summary>
    public void Attach(string cgroupDirectory)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var full = Path.GetFullPath(cgroupDirectory);
        lock (_gate)
        {
            if (_attached.ContainsKey(full))
            {
                return;
            }

            int fd = LibbpfCgroup.OpenDirectory(full);
            if (fd < 0)
            {
                throw -fd == 2 ? new DirectoryNotFoundException($"cgroup directory {full} not found") : new BpfException($"open({full})", -fd);
            }

            var links = new List<BpfLinkHandle>();
            try
            {
                foreach (var p in _programs)
                {
                    links.Add(LibbpfCgroup.AttachCgroup(p, fd));
                }
            }
            catch
            {
                links.ForEach(l => l.Dispose());
                Syscalls.Close(fd);
                throw;
            }

            _attached[full] = (fd, links.ToArray());
        }

        LogAttached(_logger, full);
    }

    /// <summary>Detaches from one cgroup directory; false when it was not attached.</summary>
    public bool Detach(string cgroupDirectory)
    {
        var full = Path.GetFullPath(cgroupDirectory);
        lock (_gate)
        {
            if (!_attached.Remove(full, out var a))
            {
                return false;
            }

            foreach (var l in a.Links)
            {
                l.Dispose();
            }

            Syscalls.Close(a.Fd);
            return true;
        }
    }

    /// <summary>Adds or replaces a deny entry. Takes effect for the next connect/bind.</summary>
    /// <exception cref="BpfException">The table is full or the kernel refused the entry.</exception>
    public void AddDeny(CgroupDenyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ObjectDisposedException.ThrowIf(_disposed, this);
        LibbpfCgroup.Update(FdFor(rule), CgroupNetKeys.Key(rule), CgroupNetKeys.Entry(rule));
        LogRuleAdded(_logger, rule.ToString());
    }

    /// <summary>Removes a deny entry (matched by operation, network, port and cgroup id); false when absent.</summary>
    public bool RemoveDeny(CgroupDenyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return LibbpfCgroup.Delete(FdFor(rule), CgroupNetKeys.Key(rule));
    }

    /// <summary>
    /// Deletes every deny entry that is not one of <paramref name="keep"/> (matched by key: operation, network,
    /// port and cgroup id), whoever added it. Called after the entries of a new rule set are added, so an entry in
    /// both the old and the new set is never absent. Returns the number removed.
    /// </summary>
    /// <exception cref="BpfException">The kernel refused to walk or delete.</exception>
    public int RemoveExcept(IReadOnlyCollection<CgroupDenyRule> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var wanted = keep.Select(CgroupNetKeys.Key).ToList();
        int removed = 0;
        foreach (var (fd, size) in new[] { (_deny4Fd, CgroupNetKeys.Key4Size), (_deny6Fd, CgroupNetKeys.Key6Size) })
        {
            var present = LibbpfCgroup.Keys(fd, size).Select(k => (k, Array.Empty<byte>()));
            foreach (var key in MapKeyDiff.Unwanted(present, wanted.Where(k => k.Length == size)))
            {
                if (LibbpfCgroup.Delete(fd, key))
                {
                    removed++;
                }
            }
        }

        if (removed > 0)
        {
            LogRemoved(_logger, removed);
        }

        return removed;
    }

    private int FdFor(CgroupDenyRule rule) =>
        rule.Network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? _deny4Fd : _deny6Fd;

    /// <summary>Waits up to <paramref name="timeoutMs"/> and delivers pending decisions. Returns how many, or a negative errno.</summary>
    public int PollDecisions(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _poller.Poll(timeoutMs);
    }

    /// <summary>Polls on a dedicated thread until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.Factory.StartNew(
        () =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                _poller.Poll(100);
            }
        },
        cancellationToken,
        TaskCreationOptions.LongRunning,
        TaskScheduler.Default);

    /// <summary>Reads the kernel counters.</summary>
    public CgroupEnforcerStats ReadStats()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<ulong> scratch = stackalloc ulong[Math.Max(1, Libbpf.libbpf_num_possible_cpus())];
        return new CgroupEnforcerStats(
            Libbpf.SumPerCpu(_statsFd, 0, scratch),
            Libbpf.SumPerCpu(_statsFd, 1, scratch),
            Libbpf.SumPerCpu(_statsFd, 2, scratch),
            Libbpf.SumPerCpu(_statsFd, 3, scratch),
            Interlocked.Read(ref _decoded),
            Interlocked.Read(ref _malformed));
    }

    /// <summary>Detaches everything and unloads the programs. Call after the polling thread stopped.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_gate)
        {
            foreach (var (_, a) in _attached)
            {
                foreach (var l in a.Links)
                {
                    l.Dispose();
                }

                Syscalls.Close(a.Fd);
            }

            _attached.Clear();
        }

        _poller.Dispose();
        _obj.Dispose();
    }

    private sealed class Sink(CgroupEnforcer owner) : IRingBufferSink
    {
        public bool OnSample(ReadOnlySpan<byte> sample)
        {
            if (CgroupDecisionDecoder.TryDecode(sample, owner._bootOffsetNs, out var ev))
            {
                Interlocked.Increment(ref owner._decoded);
                owner._onDecision(ev!);
            }
            else
            {
                Interlocked.Increment(ref owner._malformed);
            }

            return true;
        }

        public void OnSinkFault(Exception error) => LogCallbackFailed(owner._logger, error);
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "cgroup network programs loaded (connect4/6, sendmsg4/6, bind4/6)")]
    private static partial void LogLoaded(ILogger logger);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "cgroup network programs attached to {Cgroup}")]
    private static partial void LogAttached(ILogger logger, string cgroup);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Information, Message = "cgroup deny entry added: {Rule}")]
    private static partial void LogRuleAdded(ILogger logger, string rule);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Error, Message = "cgroup decision callback failed")]
    private static partial void LogCallbackFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Information, Message = "cgroup deny entries removed that the current rules do not have: {Count}")]
    private static partial void LogRemoved(ILogger logger, int count);
}
