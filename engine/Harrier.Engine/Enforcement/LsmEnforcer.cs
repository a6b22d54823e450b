using System.Buffers.Binary;
using System.Collections.Concurrent;
using Harrier.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// Loads Harrier's BPF LSM programs (<c>lsm-hooks/harrier_lsm.bpf.o</c>), attaches them, and pins their links and
/// maps under <see cref="LsmEnforcerOptions.PinRoot"/> so that enforcement and policy survive a restart of the
/// enforcer: a later <see cref="Start"/> finds the pinned links and maps and reuses them instead of loading again.
/// <see cref="Unpin"/> (<c>harrier stop --unpin</c>) removes them, which detaches the programs.
/// <para>Errors: <see cref="Start"/> throws <see cref="LsmEnforcementException"/> with the reason and the remedy
/// (e.g. the <c>lsm=</c> boot parameter when BPF LSM is built in but not active). Thread-safety: policy and
/// configuration methods may be called from any thread (serialized internally); <see cref="PollDecisions"/> from
/// one thread at a time.</para>
/// </summary>
public sealed class LsmEnforcer : IDisposable
{
    private static readonly string[] MapNames = ["pol_inode", "pol_net", "pol_uid", "pol_cgroup", "lsm_config", "protected_ids", "decisions", "lsm_stats"];

    // lsm_config.flags (policy_maps.h)
    private const uint CfgSelfProtect = 1;
    private const uint CfgEnforce = 2;
    private const uint CfgSubtree = 4;
    private const uint CfgSubjects = 8;

    // policy_entry flags for the pin directory's self-protection entry
    private const byte FlagSubtree = 2;
    private const byte FlagAllowSelf = 4;

    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly List<nint> _links = [];
    private readonly Dictionary<string, int> _maps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<uint, string> _ruleNames = new();
    private readonly LsmRingBuffer _ring;
    private nint _obj;
    private Action<LsmDecision>? _sink;
    private ulong _malformed;
    private bool _disposed;

    private LsmEnforcer(ILogger logger, string pinRoot, nint obj, bool reused, int programs)
    {
        _logger = logger;
        PinRoot = pinRoot;
        _obj = obj;
        Reused = reused;
        ProgramCount = programs;
        foreach (var name in MapNames)
        {
            nint map = FindMap(obj, name);
            if (map == 0)
            {
                throw new LsmEnforcementException($"BPF LSM object lacks map '{name}' (object and engine out of step: rebuild lsm-hooks)");
            }
            _maps[name] = LibbpfLsm.MapFd(map);
        }
        _ring = LsmRingBuffer.Create(_maps["decisions"], OnRecord, out int err)
            ?? throw new LsmEnforcementException($"ring_buffer__new on 'decisions' failed: errno {-err}", -err);
    }

    /// <summary>The pin directory in use.</summary>
    public string PinRoot { get; }

    /// <summary>True when pinned programs and maps of an earlier run were reused (nothing was loaded).</summary>
    public bool Reused { get; }

    /// <summary>Number of LSM programs attached (pinned links).</summary>
    public int ProgramCount { get; }

    /// <summary>
    /// Loads (or reuses) the BPF LSM enforcement and turns it on. Throws <see cref="LsmEnforcementException"/> for
    /// invalid options (all problems listed), a missing object, or a kernel that refuses BPF LSM.
    /// </summary>
    public static LsmEnforcer Start(LsmEnforcerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new LsmEnforcementException("Invalid BPF LSM options: " + string.Join("; ", problems));
        }
        byte[] elf = LoadObjectBytes(options);
        string root = options.PinRoot.TrimEnd('/');
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LsmEnforcementException($"Cannot create pin directory {root} (is bpffs mounted on /sys/fs/bpf?): {ex.Message}", ex);
        }

        nint obj = LibbpfLsm.ObjectOpenMem(elf, out int err);
        if (obj == 0)
        {
            throw new LsmEnforcementException($"bpf_object__open_mem failed: errno {-err}", -err);
        }
        try
        {
            return StartObject(obj, root, options, logger);
        }
        catch
        {
            LibbpfLsm.ObjectClose(obj);
            throw;
        }
    }

    private static LsmEnforcer StartObject(nint obj, string root, LsmEnforcerOptions options, ILogger logger)
    {
        for (nint m = LibbpfLsm.ObjectNextMap(obj, 0); m != 0; m = LibbpfLsm.ObjectNextMap(obj, m))
        {
            string name = LibbpfLsm.MapName(m);
            if (name.Contains('.'))
            {
                continue; // .rodata and friends: private to this load
            }
            int rc = LibbpfLsm.MapSetPinPath(m, Path.Combine(root, name));
            if (rc < 0)
            {
                throw new LsmEnforcementException($"bpf_map__set_pin_path({name}) failed: errno {-rc}", -rc);
            }
        }

        var programs = new List<(nint Prog, string Name, string LinkPin)>();
        for (nint p = LibbpfLsm.ObjectNextProgram(obj, 0); p != 0; p = LibbpfLsm.ObjectNextProgram(obj, p))
        {
            string name = LibbpfLsm.ProgramName(p);
            programs.Add((p, name, Path.Combine(root, "link_" + name)));
        }
        // Reuse only a complete set: exactly this object's programs pinned. Anything else (a crash between attach
        // and pin, or the pins of an older object with other hooks) is replaced: maps (and so policy) are still
        // reused when compatible; the hooks are off between the removal and the new attach.
        var existing = Directory.GetFiles(root, "link_*");
        bool reuse = programs.Count > 0 && existing.Length == programs.Count && programs.All(p => File.Exists(p.LinkPin));
        if (options.MapsOnly)
        {
            return StartMapsOnly(obj, root, programs.Select(p => p.Prog).ToList(), existing, logger);
        }
        if (!reuse && existing.Length > 0)
        {
            foreach (var stale in existing)
            {
                File.Delete(stale);
            }
            LsmLog.StaleLinks(logger, existing.Length, root);
        }
        if (reuse)
        {
            foreach (var p in programs)
            {
                LibbpfLsm.ProgramSetAutoload(p.Prog, false);
            }
        }

        int load = LibbpfLsm.ObjectLoad(obj);
        if (load < 0)
        {
            throw LoadFailure("bpf_object__load", -load, root);
        }

        var enforcer = new LsmEnforcer(logger, root, obj, reuse, programs.Count);
        try
        {
            if (!reuse)
            {
                foreach (var p in programs)
                {
                    nint link = LibbpfLsm.ProgramAttach(p.Prog, out int aerr);
                    if (link == 0)
                    {
                        throw LoadFailure($"attach {p.Name}", -aerr, root);
                    }
                    enforcer._links.Add(link);
                    int prc = LibbpfLsm.LinkPin(link, p.LinkPin);
                    if (prc < 0)
                    {
                        throw new LsmEnforcementException($"bpf_link__pin({p.LinkPin}) failed: errno {-prc}", -prc);
                    }
                }
                LsmLog.Loaded(logger, programs.Count, root);
            }
            else
            {
                LsmLog.Reused(logger, root, programs.Count, enforcer.CountAllEntries());
            }
            enforcer.RegisterProtectedIds(programs.Select(p => p.LinkPin));
            enforcer.UpdateConfig(c => c | CfgEnforce, null);
            if (options.SelfProtect)
            {
                enforcer.SetSelfProtection(true);
            }
            return enforcer;
        }
        catch
        {
            if (!reuse)
            {
                // A half-attached load must not stay pinned: the next start would take it for a complete one.
                foreach (var p in programs)
                {
                    TryDelete(p.LinkPin);
                }
            }
            enforcer._obj = 0; // closed by Start's handler
            enforcer.DisposeCore(clearSelf: false);
            throw;
        }
    }

    private static LsmEnforcer StartMapsOnly(nint obj, string root, List<nint> programs, string[] linkPins, ILogger logger)
    {
        bool mapsExisted = File.Exists(Path.Combine(root, "pol_inode"));
        foreach (var p in programs)
        {
            LibbpfLsm.ProgramSetAutoload(p, false);
        }
        int load = LibbpfLsm.ObjectLoad(obj);
        if (load < 0)
        {
            throw LoadFailure("bpf_object__load (maps only)", -load, root);
        }
        var enforcer = new LsmEnforcer(logger, root, obj, mapsExisted, 0);
        try
        {
            enforcer.RegisterProtectedIds(linkPins);
            return enforcer;
        }
        catch
        {
            enforcer._obj = 0; // closed by Start's handler
            enforcer.DisposeCore(clearSelf: false);
            throw;
        }
    }

    private static LsmEnforcementException LoadFailure(string what, int errno, string root)
    {
        string reason = errno switch
        {
            1 => "the kernel refused BPF LSM programs (EPERM). " + (EnforcementPaths.Probe(lsmLoadable: false).LsmHint ?? "Needs CONFIG_BPF_LSM, 'bpf' in /sys/kernel/security/lsm, CAP_BPF and CAP_SYS_ADMIN."),
            22 => $"the object does not fit this kernel or the pinned maps under {root} (EINVAL). Pins from an incompatible version are never replaced silently: remove them with 'harrier stop --unpin'.",
            524 or 95 => "this kernel lacks a hook or helper the programs need (ENOTSUPP).",
            _ => $"errno {errno}.",
        };
        return new LsmEnforcementException($"{what} failed: {reason}", errno);
    }

    private static byte[] LoadObjectBytes(LsmEnforcerOptions options)
    {
        if (options.ObjectPath is not null)
        {
            return File.ReadAllBytes(options.ObjectPath);
        }
        using var s = typeof(LsmEnforcer).Assembly.GetManifestResourceStream(options.ObjectResource)
            ?? throw new LsmEnforcementException($"The BPF LSM object '{options.ObjectResource}' is not embedded: run 'make -C lsm-hooks' (or make build) before building Harrier.Engine.");
        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        return bytes;
    }

    private static nint FindMap(nint obj, string name)
    {
        for (nint m = LibbpfLsm.ObjectNextMap(obj, 0); m != 0; m = LibbpfLsm.ObjectNextMap(obj, m))
        {
            if (LibbpfLsm.MapName(m) == name)
            {
                return m;
            }
        }
        return 0;
    }

    /// <summary>
    /// Validates and writes policies. All-or-nothing: when any policy is invalid (every error is returned) or a
    /// map write fails, nothing of this call stays applied (a key that held an entry before holds it again). A key
    /// that already holds an entry is overwritten in place, never removed first. Returns the errors; empty on success.
    /// </summary>
    public IReadOnlyList<string> Apply(IReadOnlyList<EnforcementPolicy> policies, PolicyCompiler.PathResolver? resolver = null)
    {
        var entries = PolicyCompiler.Compile(policies, resolver ?? PolicyCompiler.StatResolver, out var errors);
        if (errors.Count > 0)
        {
            foreach (var e in errors)
            {
                LsmLog.Rejected(_logger, e);
            }
            return errors;
        }
        return Write(entries);
    }

    /// <summary>
    /// Makes the policy maps hold exactly <paramref name="policies"/> (and the self-protection entries): writes them
    /// as <see cref="Apply"/> does, then deletes every other policy entry, whoever wrote it (the run before a restart,
    /// whose pinned maps this one reused, or an earlier rule set). A policy present before and after is never absent
    /// in between. On any error nothing is removed and nothing of this call stays applied. Returns the errors; empty
    /// on success.
    /// </summary>
    public IReadOnlyList<string> Reconcile(IReadOnlyList<EnforcementPolicy> policies, PolicyCompiler.PathResolver? resolver = null)
    {
        var entries = PolicyCompiler.Compile(policies, resolver ?? PolicyCompiler.StatResolver, out var errors);
        if (errors.Count > 0)
        {
            foreach (var e in errors)
            {
                LsmLog.Rejected(_logger, e);
            }
            return errors;
        }
        lock (_gate)
        {
            var writeErrors = Write(entries);
            if (writeErrors.Count > 0)
            {
                return writeErrors;
            }
            RemoveExcept(entries);
        }
        return Array.Empty<string>();
    }

    /// <summary>
    /// Writes compiled entries (all-or-nothing, see <see cref="Apply"/>). For callers that compiled the policies
    /// themselves and keep the entries (the coordinator passes the same entries to <see cref="RemoveExcept"/>).
    /// </summary>
    internal IReadOnlyList<string> Write(IReadOnlyList<PolicyEntry> entries)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Announce the tables first so no entry is ever present without its lookup being switched on.
            // The switches are never cleared: a stale switch costs a lookup, a missing one would skip a policy.
            uint need = 0;
            foreach (var entry in entries)
            {
                need |= entry.Table is PolicyTable.Uid or PolicyTable.Cgroup ? CfgSubjects : 0;
                need |= entry.Table == PolicyTable.Inode && (entry.Value[7] & FlagSubtree) != 0 ? CfgSubtree : 0;
            }
            if (need != 0)
            {
                UpdateConfig(c => c | need, null);
            }
            var done = new List<(PolicyEntry Entry, byte[]? Previous)>();
            Dictionary<string, byte[]>? netPresent = null;
            foreach (var entry in entries)
            {
                int fd = MapFd(entry.Table);
                byte[]? previous;
                if (entry.Table == PolicyTable.Net)
                {
                    // An LPM trie lookup answers the longest covering prefix, not only this key: compare exact keys.
                    netPresent ??= ReadTable(PolicyTable.Net).ToDictionary(e => Convert.ToHexString(e.Key), e => e.Value, StringComparer.Ordinal);
                    previous = netPresent.GetValueOrDefault(Convert.ToHexString(entry.Key));
                }
                else
                {
                    previous = new byte[PolicyEntry.ValueSize];
                    if (LibbpfLsm.MapLookup(fd, entry.Key, previous) != 0)
                    {
                        previous = null;
                    }
                }
                int rc = LibbpfLsm.MapUpdate(fd, entry.Key, entry.Value);
                if (rc < 0)
                {
                    // Undo newest first: a key this call overwrote gets its old entry back, a key it added goes.
                    for (int i = done.Count - 1; i >= 0; i--)
                    {
                        var (d, prev) = done[i];
                        if (prev is not null)
                        {
                            LibbpfLsm.MapUpdate(MapFd(d.Table), d.Key, prev);
                        }
                        else
                        {
                            LibbpfLsm.MapDelete(MapFd(d.Table), d.Key);
                        }
                    }
                    string err = $"writing {PolicyKinds.Name(entry.Source.Kind)} '{entry.Source.Value}' failed: errno {-rc}{(rc == -7 ? " (map full)" : string.Empty)}";
                    LsmLog.Rejected(_logger, err);
                    return [err];
                }
                done.Add((entry, previous));
                _ruleNames[entry.Source.RuleId] = entry.Source.DisplayName;
            }
        }
        LsmLog.Applied(_logger, entries.Count);
        return Array.Empty<string>();
    }

    /// <summary>
    /// Deletes every policy entry whose map and key are not among <paramref name="keep"/>, whoever wrote it; the
    /// self-protection entries stay. The removal half of <see cref="Reconcile"/>, for callers that write policy in
    /// several calls and then drop the rest. Returns the number removed.
    /// </summary>
    public int RemoveExcept(IReadOnlyCollection<PolicyEntry> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        int removed = 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (PolicyTable t in Enum.GetValues<PolicyTable>())
            {
                var wanted = keep.Where(e => e.Table == t).Select(e => e.Key);
                foreach (var key in MapKeyDiff.Unwanted(ReadTable(t), wanted, IsSelfProtection))
                {
                    if (LibbpfLsm.MapDelete(MapFd(t), key) == 0)
                    {
                        removed++;
                    }
                }
            }
        }
        if (removed > 0)
        {
            LsmLog.Removed(_logger, removed, PinRoot);
        }
        return removed;
    }

    // Self-protection entries carry rule id 0 (struct policy_entry.rule_id, the first 4 bytes).
    private static bool IsSelfProtection(byte[] value) => BinaryPrimitives.ReadUInt32LittleEndian(value) == 0;

    /// <summary>Removes the entries of these policies. Returns how many were present.</summary>
    public int Remove(IReadOnlyList<EnforcementPolicy> policies, PolicyCompiler.PathResolver? resolver = null)
    {
        var entries = PolicyCompiler.Compile(policies, resolver ?? PolicyCompiler.StatResolver, out var errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Cannot resolve policies to remove: " + string.Join("; ", errors), nameof(policies));
        }
        int removed = 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var entry in entries)
            {
                if (LibbpfLsm.MapDelete(MapFd(entry.Table), entry.Key) == 0)
                {
                    removed++;
                }
            }
        }
        return removed;
    }

    /// <summary>Deletes every policy entry (self-protection entries stay). Returns the number removed.</summary>
    public int Clear() => RemoveExcept(Array.Empty<PolicyEntry>());

    /// <summary>Number of entries currently in one policy map (as the kernel holds them, whoever wrote them).</summary>
    public int CountEntries(PolicyTable table)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ReadTable(table).Count;
        }
    }

    /// <summary>The (key, value) pairs one policy map holds now, whoever wrote them (tests and diagnostics).</summary>
    internal IReadOnlyList<(byte[] Key, byte[] Value)> Entries(PolicyTable table)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ReadTable(table);
        }
    }

    private int CountAllEntries() => Enum.GetValues<PolicyTable>().Sum(t => ReadTable(t).Count);

    private List<(byte[] Key, byte[] Value)> ReadTable(PolicyTable table)
    {
        int fd = MapFd(table);
        int ks = PolicyEntry.KeySize(table);
        var result = new List<(byte[], byte[])>();
        byte[] key = Array.Empty<byte>();
        for (int guard = 0; guard < 1_000_000; guard++)
        {
            var next = new byte[ks];
            if (LibbpfLsm.MapNextKey(fd, key, next) < 0)
            {
                break;
            }
            var value = new byte[PolicyEntry.ValueSize];
            if (LibbpfLsm.MapLookup(fd, next, value) == 0)
            {
                result.Add((next, value));
            }
            key = next;
        }
        return result;
    }

    /// <summary>The name of a rule id applied by this process, or null.</summary>
    public string? RuleName(uint ruleId) => ruleId == 0 ? "self-protection" : _ruleNames.TryGetValue(ruleId, out var n) ? n : null;

    /// <summary>
    /// Turns self-protection on for this process (its tgid and executable) or off. On: signals (other than 0,
    /// SIGCHLD, SIGCONT, SIGURG, SIGWINCH) and ptrace aimed at this process, opening Harrier's BPF objects and
    /// unlinking or renaming the pins are denied to every other process. Off only clears what this process owns.
    /// </summary>
    public void SetSelfProtection(bool enabled)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int pid = Environment.ProcessId;
            var pinDir = PolicyFileIdentity.Resolve(PinRoot, out _);
            byte[]? pinKey = null;
            if (pinDir is { } pd)
            {
                pinKey = new byte[16];
                BinaryPrimitives.WriteUInt64LittleEndian(pinKey, pd.Ino);
                BinaryPrimitives.WriteUInt32LittleEndian(pinKey.AsSpan(8), pd.Dev);
            }
            if (enabled)
            {
                var exe = PolicyFileIdentity.Resolve("/proc/self/exe", out _);
                UpdateConfig(c => c | CfgSelfProtect | CfgEnforce | CfgSubtree, cfg =>
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(cfg.AsSpan(4), (uint)pid);
                    BinaryPrimitives.WriteUInt64LittleEndian(cfg.AsSpan(8), exe?.Ino ?? 0);
                    BinaryPrimitives.WriteUInt32LittleEndian(cfg.AsSpan(16), exe?.Dev ?? 0);
                });
                if (pinKey is not null)
                {
                    var v = new byte[PolicyEntry.ValueSize];
                    BinaryPrimitives.WriteUInt16LittleEndian(v.AsSpan(4), (ushort)(PolicyOperations.Unlink | PolicyOperations.Rename));
                    v[6] = 1;
                    v[7] = FlagSubtree | FlagAllowSelf;
                    LibbpfLsm.MapUpdate(_maps["pol_inode"], pinKey, v);
                }
            }
            else
            {
                if (ReadConfigTgid() != (uint)pid)
                {
                    return;
                }
                UpdateConfig(c => c & ~CfgSelfProtect, cfg => cfg.AsSpan(4, 20).Clear());
                if (pinKey is not null)
                {
                    LibbpfLsm.MapDelete(_maps["pol_inode"], pinKey);
                }
            }
        }
        LsmLog.SelfProtection(_logger, enabled ? "on" : "off", Environment.ProcessId);
    }

    /// <summary>True when self-protection is on and names this process.</summary>
    public bool IsSelfProtecting
    {
        get
        {
            lock (_gate)
            {
                var cfg = ReadConfig();
                return (BinaryPrimitives.ReadUInt32LittleEndian(cfg) & CfgSelfProtect) != 0 && BinaryPrimitives.ReadUInt32LittleEndian(cfg.AsSpan(4)) == (uint)Environment.ProcessId;
            }
        }
    }

    /// <summary>The tgid self-protection currently guards (any process's), 0 when off.</summary>
    public int ProtectedTgid
    {
        get
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var cfg = ReadConfig();
                return (BinaryPrimitives.ReadUInt32LittleEndian(cfg) & CfgSelfProtect) != 0 ? (int)BinaryPrimitives.ReadUInt32LittleEndian(cfg.AsSpan(4)) : 0;
            }
        }
    }

    private uint ReadConfigTgid() => BinaryPrimitives.ReadUInt32LittleEndian(ReadConfig().AsSpan(4));

    private byte[] ReadConfig()
    {
        var cfg = new byte[24];
        LibbpfLsm.MapLookup(_maps["lsm_config"], new byte[4], cfg);
        return cfg;
    }

    private void UpdateConfig(Func<uint, uint> flags, Action<byte[]>? edit)
    {
        var cfg = ReadConfig();
        BinaryPrimitives.WriteUInt32LittleEndian(cfg, flags(BinaryPrimitives.ReadUInt32LittleEndian(cfg)));
        edit?.Invoke(cfg);
        int rc = LibbpfLsm.MapUpdate(_maps["lsm_config"], new byte[4], cfg);
        if (rc < 0)
        {
            throw new LsmEnforcementException($"writing lsm_config failed: errno {-rc}", -rc);
        }
    }

    private void RegisterProtectedIds(IEnumerable<string> linkPins)
    {
        int fd = _maps["protected_ids"];
        void Add(uint kind, uint id)
        {
            if (id == 0)
            {
                return;
            }
            var key = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(key, kind);
            BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(4), id);
            LibbpfLsm.MapUpdate(fd, key, [1]);
        }
        foreach (var (_, mapFd) in _maps)
        {
            if (LibbpfLsm.ObjectId(mapFd, out uint id) == 0)
            {
                Add(2, id);
            }
        }
        foreach (var pin in linkPins)
        {
            int lfd = LibbpfLsm.ObjGet(pin);
            if (lfd < 0)
            {
                continue;
            }
            if (LibbpfLsm.ObjectId(lfd, out uint linkId) == 0)
            {
                Add(3, linkId);
            }
            if (LibbpfLsm.LinkProgramId(lfd, out uint progId) == 0)
            {
                Add(1, progId);
            }
            LibbpfLsm.Close(lfd);
        }
    }

    /// <summary>The kernel ids of Harrier's pinned objects (kind 1 prog, 2 map, 3 link), as registered for self-protection.</summary>
    public IReadOnlyList<(uint Kind, uint Id)> ProtectedIds()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int fd = _maps["protected_ids"];
            var list = new List<(uint, uint)>();
            byte[] key = Array.Empty<byte>();
            var next = new byte[8];
            while (LibbpfLsm.MapNextKey(fd, key, next) == 0)
            {
                list.Add((BinaryPrimitives.ReadUInt32LittleEndian(next), BinaryPrimitives.ReadUInt32LittleEndian(next.AsSpan(4))));
                key = next.ToArray();
            }
            return list;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for decision records and passes each decoded one to
    /// <paramref name="onDecision"/> on this thread. Returns the number of records consumed (malformed ones are
    /// counted in <see cref="ReadStats"/>), or a negative errno.
    /// </summary>
    public int PollDecisions(int timeoutMs, Action<LsmDecision> onDecision)
    {
        ArgumentNullException.ThrowIfNull(onDecision);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _sink = onDecision;
        try
        {
            return _ring.Poll(timeoutMs);
        }
        finally
        {
            _sink = null;
        }
    }

    private void OnRecord(ReadOnlySpan<byte> record)
    {
        if (!LsmDecision.TryDecode(record, out var d))
        {
            Interlocked.Increment(ref _malformed);
            LsmLog.Malformed(_logger, record.Length);
            return;
        }
        _sink?.Invoke(d!);
    }

    /// <summary>Counters from the kernel programs (summed over CPUs) and the reader.</summary>
    public LsmStats ReadStats()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int cpus = PossibleCpus();
            var values = new byte[8 * cpus];
            ulong Sum(uint idx)
            {
                var key = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(key, idx);
                if (LibbpfLsm.MapLookup(_maps["lsm_stats"], key, values) < 0)
                {
                    return 0;
                }
                ulong s = 0;
                for (int i = 0; i < cpus; i++)
                {
                    s += BinaryPrimitives.ReadUInt64LittleEndian(values.AsSpan(i * 8));
                }
                return s;
            }
            return new LsmStats(Sum(0), Sum(1), Sum(2), Sum(3), Sum(4), Sum(5), Interlocked.Read(ref _malformed));
        }
    }

    /// <summary>Number of possible CPUs (per-CPU map value count), from /sys/devices/system/cpu/possible.</summary>
    internal static int PossibleCpus(string path = "/sys/devices/system/cpu/possible")
    {
        try
        {
            int max = -1;
            foreach (var part in File.ReadAllText(path).Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var ends = part.Split('-');
                max = Math.Max(max, int.Parse(ends[^1], System.Globalization.CultureInfo.InvariantCulture));
            }
            return max >= 0 ? max + 1 : Environment.ProcessorCount;
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return Environment.ProcessorCount;
        }
    }

    private int MapFd(PolicyTable table) => _maps[table switch
    {
        PolicyTable.Inode => "pol_inode",
        PolicyTable.Net => "pol_net",
        PolicyTable.Uid => "pol_uid",
        _ => "pol_cgroup",
    }];

    /// <summary>
    /// Removes every pin under <paramref name="pinRoot"/> (links first, which detaches the programs once no process
    /// holds them, then maps) and the directory. Returns the problems; empty on success. With self-protection on,
    /// only the protected enforcer's executable may do this.
    /// </summary>
    public static IReadOnlyList<string> Unpin(string pinRoot = LsmEnforcerOptions.DefaultPinRoot, ILogger? logger = null)
    {
        string root = pinRoot.TrimEnd('/');
        var errors = PinDirectory.Remove(root, out bool removed);
        if (removed)
        {
            LsmLog.Unpinned(logger ?? NullLogger.Instance, root);
        }
        return errors;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort on an error path; the caller reports the original failure
        }
    }

    /// <summary>
    /// Releases this process's handles. Programs and maps stay pinned and enforcing; self-protection owned by this
    /// process is turned off (a graceful stop must not leave a dead pid protected).
    /// </summary>
    public void Dispose() => DisposeCore(clearSelf: true);

    private void DisposeCore(bool clearSelf)
    {
        if (_disposed)
        {
            return;
        }
        if (clearSelf)
        {
            try
            {
                SetSelfProtection(false);
            }
            catch (LsmEnforcementException)
            {
                // the maps are going away with the handles; nothing else to do
            }
        }
        lock (_gate)
        {
            _disposed = true;
            _ring.Dispose();
            foreach (var link in _links)
            {
                LibbpfLsm.LinkDestroy(link); // closes our fd only: the pinned link keeps the program attached
            }
            _links.Clear();
            if (_obj != 0)
            {
                LibbpfLsm.ObjectClose(_obj);
                _obj = 0;
            }
        }
    }
}
