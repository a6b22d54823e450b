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
/// coordinator does).</para>
/// <para>Pinning: loaded with <see cref="CgroupEnforcerOptions"/>, the maps (<c>cg_deny4</c>, <c>cg_deny6</c>,
/// <c>cg_decisions</c>, <c>cg_stats</c>) and every cgroup link are pinned under <see cref="CgroupEnforcerOptions.PinRoot"/>,
/// so the deny entries stay in force while no Harrier process runs. A later load reuses the pinned maps that match the
/// object's definitions (an incompatible one is replaced, its entries are lost) and takes over the pinned links by
/// swapping in its freshly loaded programs (BPF_LINK_UPDATE, no gap); links of programs the object no longer has, or
/// that cannot be updated, are removed and attached anew. <see cref="Dispose"/> then leaves the pins in place and
/// the programs attached; <see cref="Detach"/> and <see cref="Unpin"/> remove them. Without options nothing is
/// pinned and Dispose detaches every program.</para>
/// <para>Errors: <see cref="BpfException"/> when the kernel refuses to load or attach (no CAP_BPF/CAP_NET_ADMIN,
/// no cgroup v2), <see cref="DirectoryNotFoundException"/> for a missing cgroup directory.</para>
/// </summary>
public sealed partial class CgroupEnforcer : IDisposable
{
    /// <summary>The embedded object's resource name (built by <c>make -C lsm-hooks</c>).</summary>
    public const string ResourceName = "lsm-hooks/cgroup_net.bpf.o";

    private static readonly string[] MapNames = ["cg_deny4", "cg_deny6", "cg_decisions", "cg_stats"];

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
    private readonly Dictionary<string, (int Fd, BpfLinkHandle[] Links, string[] Pins)> _attached = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, Dictionary<string, BpfLinkHandle>> _adopted = [];
    private readonly string? _pinRoot;
    private readonly Lock _gate = new();
    private long _decoded;
    private long _malformed;
    private bool _disposed;

    private CgroupEnforcer(ReadOnlySpan<byte> elf, Action<DecisionEvent> onDecision, ILogger logger, string? pinRoot)
    {
        _onDecision = onDecision;
        _logger = logger;
        _pinRoot = pinRoot;
        _bootOffsetNs = new BootClock().OffsetNs;
        _obj = Libbpf.OpenObject(elf, "harrier_cgroup_net");
        try
        {
            if (pinRoot is not null)
            {
                ReusedMaps = PrepareMapPins(pinRoot);
            }

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
            if (pinRoot is not null)
            {
                AdoptPinnedLinks(pinRoot);
            }
        }
        catch
        {
            foreach (var l in _adopted.Values.SelectMany(d => d.Values))
            {
                l.Dispose(); // closes our fd only: the pins keep enforcing as before this load
            }

            _poller?.Dispose();
            _obj.Dispose();
            throw;
        }
    }

    /// <summary>The pin directory in use; null when this enforcer does not pin.</summary>
    public string? PinRoot => _pinRoot;

    /// <summary>Number of pinned maps of an earlier run that this load reused (0 to 4).</summary>
    public int ReusedMaps { get; }

    /// <summary>Number of pinned links of an earlier run that this load took over (their programs replaced by its own).</summary>
    public int AdoptedLinks { get; private set; }

    /// <summary>
    /// Points every map at its pin path (libbpf reuses a pinned map at load, or pins the new one there). A pinned
    /// map whose definition differs from the object's is removed first, so the load creates a fresh one rather
    /// than failing. Returns the number of maps that will be reused.
    /// </summary>
    private int PrepareMapPins(string root)
    {
        int reused = 0;
        foreach (var name in MapNames)
        {
            nint map = Libbpf.FindMap(_obj, name);
            string pin = Path.Combine(root, name);
            if (File.Exists(pin))
            {
                var pinned = LibbpfCgroup.PinnedMapDefinition(pin);
                if (pinned == LibbpfCgroup.MapDefinition(map))
                {
                    reused++;
                }
                else
                {
                    File.Delete(pin);
                    LogMapReplaced(_logger, pin);
                }
            }

            int rc = LibbpfCgroup.SetMapPinPath(map, pin);
            if (rc < 0)
            {
                throw new BpfException($"bpf_map__set_pin_path({pin})", -rc);
            }
        }

        return reused;
    }

    /// <summary>
    /// Takes over the links an earlier run pinned (<c>link_CGROUPID_PROGRAM</c>): each gets this load's program of
    /// the same name, atomically. A pin of an unknown program, or one that cannot be opened or updated (a defunct
    /// link, whose cgroup is gone), is removed.
    /// </summary>
    private void AdoptPinnedLinks(string root)
    {
        int removed = 0;
        foreach (var pin in Directory.GetFiles(root, "link_*"))
        {
            string name = Path.GetFileName(pin)["link_".Length..];
            int sep = name.IndexOf('_', StringComparison.Ordinal);
            int index = sep > 0 ? Array.IndexOf(ProgramNames, name[(sep + 1)..]) : -1;
            BpfLinkHandle? link = null;
            if (index >= 0 && ulong.TryParse(name.AsSpan(0, sep), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong cgroupId))
            {
                link = LibbpfCgroup.OpenPinnedLink(pin, out _);
                if (link is not null && LibbpfCgroup.UpdateLinkProgram(link, _programs[index]) == 0)
                {
                    if (!_adopted.TryGetValue(cgroupId, out var links))
                    {
                        _adopted[cgroupId] = links = new Dictionary<string, BpfLinkHandle>(StringComparer.Ordinal);
                    }

                    links[ProgramNames[index]] = link;
                    AdoptedLinks++;
                    continue;
                }
            }

            File.Delete(pin); // the last reference goes with our fd below: that hook is detached
            link?.Dispose();
            removed++;
        }

        if (AdoptedLinks > 0 || removed > 0)
        {
            LogLinksTakenOver(_logger, AdoptedLinks, removed, root);
        }
    }

    /// <summary>Loads the programs embedded in Harrier.Engine (or <paramref name="objectBytes"/>).</summary>
    /// <param name="onDecision">Gets every deny / would-deny decision on the polling thread; must not block long. It may keep the event.</param>
    /// <param name="logger">Logs loads, attachments and entry changes.</param>
    /// <param name="objectBytes">The object to load instead of the embedded one.</param>
    /// <param name="options">Pin under <see cref="CgroupEnforcerOptions.PinRoot"/> (and take over what an earlier run pinned there); null: no pinning.</param>
    /// <exception cref="ArgumentException">Invalid options (every problem listed).</exception>
    public static CgroupEnforcer Load(Action<DecisionEvent> onDecision, ILogger? logger = null, byte[]? objectBytes = null, CgroupEnforcerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onDecision);
        string? root = null;
        if (options is not null)
        {
            var problems = options.Validate();
            if (problems.Count > 0)
            {
                throw new ArgumentException("Invalid cgroup enforcer options: " + string.Join("; ", problems), nameof(options));
            }

            root = options.PinRoot.TrimEnd('/');
            Directory.CreateDirectory(root);
        }

        if (objectBytes is null)
        {
            using var s = typeof(CgroupEnforcer).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new BpfNotSupportedException($"embedded {ResourceName}", "build lsm-hooks (make -C lsm-hooks) before Harrier.Engine", 2);
            objectBytes = new byte[s.Length];
            s.ReadExactly(objectBytes);
        }

        var enforcer = new CgroupEnforcer(objectBytes, onDecision, logger ?? NullLogger.Instance, root);
        LogLoaded(enforcer._logger, root ?? "none", enforcer.ReusedMaps);
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

            ulong cgroupId = 0;
            if (_pinRoot is not null)
            {
                if (CgroupPaths.CgroupId(full) is not { } id)
                {
                    Syscalls.Close(fd);
                    throw new DirectoryNotFoundException($"cgroup directory {full} not found");
                }

                cgroupId = id;
            }

            _adopted.Remove(cgroupId, out var adopted);
            var links = new List<BpfLinkHandle>();
            var pins = new List<string>();
            var created = new List<(BpfLinkHandle Link, string? Pin)>();
            try
            {
                for (int i = 0; i < _programs.Length; i++)
                {
                    string? pin = _pinRoot is null ? null : Path.Combine(_pinRoot, $"link_{cgroupId}_{ProgramNames[i]}");
                    if (adopted is not null && adopted.Remove(ProgramNames[i], out var taken))
                    {
                        links.Add(taken);
                        pins.Add(pin!);
                        continue;
                    }

                    var link = LibbpfCgroup.AttachCgroup(_programs[i], fd);
                    created.Add((link, null));
                    if (pin is not null)
                    {
                        File.Delete(pin); // nothing usable was there (AdoptPinnedLinks removed what it could not take over)
                        int rc = LibbpfCgroup.PinLink(link, pin);
                        if (rc < 0)
                        {
                            throw new BpfException($"bpf_link__pin({pin})", -rc);
                        }

                        created[^1] = (link, pin);
                        pins.Add(pin);
                    }

                    links.Add(link);
                }
            }
            catch
            {
                foreach (var (link, pin) in created)
                {
                    if (pin is not null)
                    {
                        File.Delete(pin);
                    }

                    link.Dispose();
                }

                // Links taken over from an earlier run stay pinned and enforcing, as they were before this call.
                foreach (var taken in links.Except(created.Select(c => c.Link)))
                {
                    taken.Dispose();
                }

                Syscalls.Close(fd);
                throw;
            }

            _attached[full] = (fd, links.ToArray(), pins.ToArray());
        }

        LogAttached(_logger, full);
    }

    /// <summary>Detaches from one cgroup directory (removing its link pins); false when it was not attached.</summary>
    public bool Detach(string cgroupDirectory)
    {
        var full = Path.GetFullPath(cgroupDirectory);
        lock (_gate)
        {
            if (!_attached.Remove(full, out var a))
            {
                return false;
            }

            foreach (var pin in a.Pins)
            {
                File.Delete(pin);
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

    /// <summary>
    /// Detaches every pinned link under <paramref name="pinRoot"/> from its cgroup (so no deny is in force once this
    /// returns), then removes every pin (links, then maps) and the directory. Returns the problems; empty on success
    /// (also when nothing is pinned there).
    /// </summary>
    public static IReadOnlyList<string> Unpin(string pinRoot = CgroupEnforcerOptions.DefaultPinRoot, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(pinRoot);
        string root = pinRoot.TrimEnd('/');
        if (Directory.Exists(root))
        {
            foreach (string link in Directory.GetFiles(root, "link_*"))
            {
                // Failing here is not fatal: removing the pin below still detaches, only later (when the kernel frees the link).
                _ = LibbpfCgroup.DetachPinnedLink(link);
            }
        }

        var errors = PinDirectory.Remove(root, out bool removed);
        if (removed)
        {
            LogUnpinned(logger ?? NullLogger.Instance, root);
        }

        return errors;
    }

    /// <summary>
    /// Releases this process's handles. Without pinning that detaches everything and unloads the programs; with
    /// pinning the links and maps stay pinned and the deny entries in force (<see cref="Unpin"/> removes them).
    /// Call after the polling thread stopped.
    /// </summary>
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
            foreach (var l in _adopted.Values.SelectMany(d => d.Values))
            {
                l.Dispose();
            }

            _adopted.Clear();
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

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "cgroup network programs loaded (connect4/6, sendmsg4/6, bind4/6); pins: {PinRoot}, pinned maps reused: {Reused}")]
    private static partial void LogLoaded(ILogger logger, string pinRoot, int reused);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "cgroup network programs attached to {Cgroup}")]
    private static partial void LogAttached(ILogger logger, string cgroup);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Information, Message = "cgroup deny entry added: {Rule}")]
    private static partial void LogRuleAdded(ILogger logger, string rule);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Error, Message = "cgroup decision callback failed")]
    private static partial void LogCallbackFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Information, Message = "cgroup deny entries removed that the current rules do not have: {Count}")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Warning, Message = "pinned cgroup map {Pin} does not match this version's definition: replaced (its entries are lost)")]
    private static partial void LogMapReplaced(ILogger logger, string pin);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Information, Message = "cgroup links pinned by an earlier run: {Adopted} taken over (programs replaced in place), {Removed} removed, under {PinRoot}")]
    private static partial void LogLinksTakenOver(ILogger logger, int adopted, int removed, string pinRoot);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Information, Message = "cgroup enforcement unpinned: {PinRoot} removed")]
    private static partial void LogUnpinned(ILogger logger, string pinRoot);
}
