using System.Globalization;
using System.Net;
using Harrier.Engine.Enforcement;
using Harrier.Events;
using Harrier.Interop.Bpf;
using Harrier.Rules;
using Harrier.Rules.Enforcement;
using Microsoft.Extensions.Logging;

namespace Harrier.Engine.Verdicts;

/// <summary>
/// Puts deny/kill rules into the kernel. For every deny/kill rule of a <see cref="CompiledRuleSet"/> it takes the
/// <see cref="EnforcementPlanner"/> plan and applies it through the strongest mechanism that can carry all of it:
/// BPF LSM policy maps (<see cref="LsmEnforcer"/>) when BPF LSM programs actually load; otherwise, for network
/// deny rules, the cgroup connect/bind programs (<see cref="CgroupEnforcer"/>) attached at the root of the cgroup v2
/// hierarchy so that every process is covered; otherwise the rule stays with user space (<see cref="VerdictRouter"/>).
/// A rule is never half in the kernel: when any of its terms cannot be applied, none are. In monitor mode every
/// entry is a monitor entry (the kernel allows and reports <c>would-deny</c> / <c>would-kill</c>).
/// <para>Decisions (LSM and cgroup) are delivered as <see cref="DecisionEvent"/>s whose <see cref="DecisionEvent.Policy"/>
/// is the rule name, on a dedicated polling thread, to the callback given to <see cref="Start"/>.</para>
/// <para>Errors: never throws for missing kernel features, refused loads, missing files or full maps: each becomes the
/// reason in <see cref="Report"/> and a log line. Thread-safety: <see cref="Report"/>, <see cref="Update"/> and
/// <see cref="Dispose"/> may be called from any thread (serialized).</para>
/// </summary>
internal sealed partial class EnforcementCoordinator : IDisposable
{
    private readonly Lock _gate = new();
    private readonly EnforcementOptions _options;
    private readonly Action<DecisionEvent> _onDecision;
    private readonly ILogger _logger;
    private readonly LsmEnforcerOptions _lsmOptions;
    private readonly CgroupEnforcerOptions _cgroupOptions;
    private readonly string? _cgroupRoot;
    private readonly Func<string, string?> _containerCgroup;
    private readonly Dictionary<string, uint> _ruleIds = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, string> _ruleNames = [];
    private readonly List<PolicyEntry> _lsmApplied = [];
    private readonly List<CgroupDenyRule> _cgroupApplied = [];
    private readonly CancellationTokenSource _stop = new();
    private LsmEnforcer? _lsm;
    private string? _lsmFailure;
    private bool _lsmTried;
    private bool _pinsSwept;
    private CgroupEnforcer? _cgroup;
    private string? _cgroupFailure;
    private bool _cgroupTried;
    private bool _cgroupPinsSwept;
    private Thread? _poller;
    private IReadOnlyList<RuleEnforcement> _report = [];
    private long _decisions;
    private bool _disposed;

    private EnforcementCoordinator(EnforcementOptions options, Action<DecisionEvent> onDecision, ILogger logger, LsmEnforcerOptions lsmOptions, CgroupEnforcerOptions cgroupOptions, string? cgroupRoot, Func<string, string?>? containerCgroup)
    {
        _cgroupOptions = cgroupOptions;
        _options = options;
        _onDecision = onDecision;
        _logger = logger;
        _lsmOptions = lsmOptions;
        _cgroupRoot = cgroupRoot;
        _containerCgroup = containerCgroup ?? (id => FindContainerCgroup(cgroupRoot, id));
        Paths = EnforcementPaths.Probe();
    }

    /// <summary>What the kernel offers, as probed at start (updated once BPF LSM was actually tried).</summary>
    public EnforcementPathsReport Paths { get; private set; }

    /// <summary>Per deny/kill rule: the mechanism that enforces it and through what, or why only user space does.</summary>
    public IReadOnlyList<RuleEnforcement> Report
    {
        get
        {
            lock (_gate)
            {
                return _report;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="rule"/> is carried by a kernel mechanism (LSM or cgroup): its deny/kill already happened
    /// at the hook and arrives as a decision event, so the syscall event of the same operation is not "not-enforced".
    /// </summary>
    public bool EnforcedInKernel(string rule)
    {
        var report = Report;
        foreach (var r in report)
        {
            if (r.InKernel && string.Equals(r.Rule, rule, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why BPF LSM is not used (null when it is, or when no rule needed it yet).</summary>
    public string? LsmFailure
    {
        get
        {
            lock (_gate)
            {
                return _lsmFailure;
            }
        }
    }

    /// <summary>True when BPF LSM programs are loaded and carry rules.</summary>
    public bool LsmActive
    {
        get
        {
            lock (_gate)
            {
                return _lsm is not null;
            }
        }
    }

    /// <summary>Decision events delivered so far.</summary>
    public long Decisions => Interlocked.Read(ref _decisions);

    /// <summary>
    /// Plans and applies every deny/kill rule of <paramref name="rules"/>. <paramref name="onDecision"/> receives kernel
    /// decisions on the coordinator's polling thread; it must not block long and may keep the event.
    /// </summary>
    public static EnforcementCoordinator Start(CompiledRuleSet rules, EnforcementOptions options, Action<DecisionEvent> onDecision, ILogger logger)
        => Start(rules, options, onDecision, logger, lsmOptions: options?.Lsm?.ToEnforcerOptions(), cgroupOptions: options?.Lsm?.ToCgroupOptions());

    /// <summary>
    /// As <see cref="Start(CompiledRuleSet, EnforcementOptions, Action{DecisionEvent}, ILogger)"/>, with the BPF LSM
    /// options (pin directory), the cgroup v2 directory to attach the network programs to (default: the root of the
    /// cgroup v2 hierarchy), the container-id-to-cgroup-directory lookup (default: a search below that root) and the
    /// cgroup programs' pin directory (default: <see cref="CgroupEnforcerOptions.PinRootBeside"/> the BPF LSM one).
    /// </summary>
    public static EnforcementCoordinator Start(CompiledRuleSet rules, EnforcementOptions options, Action<DecisionEvent> onDecision, ILogger logger,
        LsmEnforcerOptions? lsmOptions, string? cgroupRoot = null, Func<string, string?>? containerCgroup = null, CgroupEnforcerOptions? cgroupOptions = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onDecision);
        ArgumentNullException.ThrowIfNull(logger);
        lsmOptions ??= new LsmEnforcerOptions();
        cgroupOptions ??= new CgroupEnforcerOptions { PinRoot = CgroupEnforcerOptions.PinRootBeside(lsmOptions.PinRoot) };
        var c = new EnforcementCoordinator(options, onDecision, logger, lsmOptions, cgroupOptions, cgroupRoot ?? CgroupPaths.FindCgroup2Mount(), containerCgroup);
        if (lsmOptions.SelfProtect && !lsmOptions.MapsOnly)
        {
            // Self-protection needs the BPF LSM hooks whether or not a rule does.
            lock (c._gate)
            {
                if (!c.EnsureLsm())
                {
                    LogSelfProtectionUnavailable(logger, c._lsmFailure ?? "BPF LSM unavailable");
                }
            }
        }

        c.Update(rules);
        bool lsm = c.LsmActive;
        LogMechanisms(logger, options.Mode, Describe(c.Paths, EnforcementVerdict.ExecDeny, lsm), Describe(c.Paths, EnforcementVerdict.FileDeny, lsm),
            Describe(c.Paths, EnforcementVerdict.NetworkDeny, lsm), Describe(c.Paths, EnforcementVerdict.Kill, lsm), c.LsmStatus());
        return c;
    }

    private string LsmStatus()
    {
        lock (_gate)
        {
            return _lsm is not null ? $"BPF LSM loaded ({_lsm.ProgramCount} hooks, pins {_lsm.PinRoot})"
                : _lsmFailure is not null ? "BPF LSM not usable: " + _lsmFailure
                : "BPF LSM not loaded: no deny/kill rule needs it";
        }
    }

    /// <summary>
    /// What <c>harrier run</c> itself applies for a verdict: the kernel's best mechanism when the coordinator drives it
    /// (BPF LSM when loaded, cgroup programs for network), otherwise what really happens, so the log never promises a
    /// mechanism that is not in force (seccomp only confines <c>harrier exec</c> workloads).
    /// </summary>
    private static string Describe(EnforcementPathsReport paths, EnforcementVerdict verdict, bool lsmActive)
    {
        if (lsmActive)
        {
            return "BPF LSM";
        }

        var best = paths.Best.TryGetValue(verdict, out var m) ? m : EnforcementMechanism.UserSpaceKill;
        return (verdict, best) switch
        {
            (EnforcementVerdict.NetworkDeny, EnforcementMechanism.Cgroup) => "cgroup programs",
            (EnforcementVerdict.Kill, _) => "user-space SIGKILL",
            (_, EnforcementMechanism.Seccomp) => "detection only (seccomp confines harrier exec workloads)",
            _ => "detection only",
        };
    }

    /// <summary>
    /// Makes the kernel hold exactly the plans of <paramref name="rules"/> (start and rule reload): the new entries
    /// are written first — an entry the previous set also had is overwritten in place — and only then is every
    /// other entry removed, so a rule in both sets is enforced throughout. The removal covers the whole policy maps,
    /// not only what this coordinator wrote: the BPF LSM maps are pinned and reused across restarts, so entries an
    /// earlier run left for rules that no longer exist go too (with no BPF LSM rule in the set, pinned maps left
    /// by an earlier run are opened once just to empty them).
    /// </summary>
    public void Update(CompiledRuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var plans = EnforcementPlanner.PlanAll(rules);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // _lsmApplied and _cgroupApplied are rebuilt below as the new set; the old entries stay in the maps
            // until RemoveStale.
            _lsmApplied.Clear();
            _cgroupApplied.Clear();
            bool monitor = !_options.Enforce;
            var report = new List<RuleEnforcement>(plans.Count);
            var lsmKeys = new Dictionary<string, string>(StringComparer.Ordinal);
            var cgroupKeys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var plan in plans)
            {
                RuleEnforcement entry;
                if (!plan.KernelExpressible)
                {
                    entry = UserSpace(plan, plan.Reason ?? "no kernel terms", plan.Field, monitor);
                }
                else
                {
                    uint id = RuleId(plan.RuleName);
                    entry = TryLsm(plan, id, monitor, lsmKeys, out string? lsmWhy)
                        ?? TryCgroup(plan, id, monitor, cgroupKeys, out string? cgroupWhy)
                        ?? UserSpace(plan, (_lsm is not null ? lsmWhy ?? cgroupWhy : cgroupWhy ?? lsmWhy) ?? "no kernel mechanism", null, monitor);
                }

                report.Add(entry);
                if (entry.InKernel)
                {
                    LogRuleInKernel(_logger, entry.Rule, entry.Mechanism, entry.Detail, monitor);
                }
                else
                {
                    LogRuleUserSpace(_logger, entry.Rule, entry.Detail);
                }
            }

            RemoveStale();
            _report = report;
            EnsurePoller();
        }
    }

    /// <summary>
    /// The second half of <see cref="Update"/>: removes every map entry that the set just written does not have.
    /// Caller holds the gate.
    /// </summary>
    private void RemoveStale()
    {
        if (_lsm is not null)
        {
            _lsm.RemoveExcept(_lsmApplied);
        }
        else
        {
            SweepPinnedMaps();
        }

        if (_cgroup is not null)
        {
            try
            {
                _cgroup.RemoveExcept(_cgroupApplied);
            }
            catch (BpfException ex)
            {
                LogStaleRemoveFailed(_logger, "cgroup", ex.Message);
            }
        }
        else
        {
            SweepPinnedCgroup();
        }
    }

    /// <summary>
    /// Without cgroup programs in use by this process, the cgroup links and deny maps an earlier run pinned would
    /// keep enforcing its entries: remove them once. Caller holds the gate.
    /// </summary>
    private void SweepPinnedCgroup()
    {
        if (_cgroupPinsSwept)
        {
            return;
        }

        _cgroupPinsSwept = true;
        if (!Directory.Exists(_cgroupOptions.PinRoot))
        {
            return;
        }

        foreach (var problem in CgroupEnforcer.Unpin(_cgroupOptions.PinRoot, _logger))
        {
            LogStaleRemoveFailed(_logger, "cgroup", problem);
        }
    }

    /// <summary>
    /// Without BPF LSM in use by this process, the pinned policy maps of an earlier run may still hold entries (and
    /// its pinned hooks enforce them): open the maps alone once and empty them. Caller holds the gate.
    /// </summary>
    private void SweepPinnedMaps()
    {
        if (_pinsSwept)
        {
            return;
        }

        _pinsSwept = true;
        if (!File.Exists(Path.Combine(_lsmOptions.PinRoot, "pol_inode")))
        {
            return;
        }

        try
        {
            using var maps = LsmEnforcer.Start(_lsmOptions with { MapsOnly = true, SelfProtect = false }, _logger);
            maps.Clear();
        }
        catch (Exception ex) when (ex is LsmEnforcementException or BpfException or IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            LogStaleRemoveFailed(_logger, "BPF LSM", ex.Message);
        }
    }

    /// <summary>
    /// The id kernel entries and decision records carry for a rule: derived from its name, so it is the same in the
    /// next Harrier process and a decision the kernel recorded while none ran (pinned policy) still names its rule.
    /// Never 0 (self-protection) and never reused for another name in this process (a clash takes the next free id).
    /// </summary>
    private uint RuleId(string rule)
    {
        if (!_ruleIds.TryGetValue(rule, out uint id))
        {
            id = StableRuleId(rule);
            while (id == 0 || _ruleNames.ContainsKey(id))
            {
                id++;
            }

            _ruleIds[rule] = id;
            _ruleNames[id] = rule;
        }

        return id;
    }

    /// <summary>FNV-1a (32 bit) of the rule name's UTF-8 bytes.</summary>
    internal static uint StableRuleId(string rule)
    {
        uint h = 2166136261;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(rule))
        {
            h = (h ^ b) * 16777619;
        }

        return h;
    }

    private static RuleEnforcement UserSpace(EnforcementPlan plan, string why, string? field, bool monitor) => new()
    {
        Rule = plan.RuleName,
        Action = plan.Action,
        Mechanism = RuleEnforcement.UserSpace,
        Detail = why,
        Field = field,
        Monitor = monitor,
        Location = plan.Location,
        Notes = plan.Notes,
    };

    // ---- BPF LSM

    private RuleEnforcement? TryLsm(EnforcementPlan plan, uint id, bool monitor, Dictionary<string, string> keys, out string? why)
    {
        why = null;
        if (plan.Terms.Any(t => t.ContainerId is not null))
        {
            why = "BPF LSM entries cannot be qualified by container";
            return null;
        }

        if (!EnsureLsm())
        {
            why = "BPF LSM unavailable: " + _lsmFailure;
            return null;
        }

        var policies = new List<EnforcementPolicy>(plan.Terms.Count);
        foreach (var t in plan.Terms)
        {
            string value = t.PolicyValue;
            if (t.Kind == KernelTermKind.Cgroup)
            {
                if (_containerCgroup(t.Value) is not { } dir)
                {
                    why = $"container {t.Value} has no cgroup on this host (not running?)";
                    return null;
                }

                value = dir;
            }

            policies.Add(new EnforcementPolicy
            {
                Kind = (PolicyKind)(int)t.Kind,
                Value = value,
                RuleId = id,
                RuleName = plan.RuleName,
                Action = plan.Action,
                Monitor = monitor,
                Operations = (PolicyOperations)(ushort)t.Operations,
            });
        }

        var entries = PolicyCompiler.Compile(policies, PolicyCompiler.StatResolver, out var errors);
        if (errors.Count > 0)
        {
            why = "BPF LSM: " + string.Join("; ", errors);
            return null;
        }

        foreach (var e in entries)
        {
            if (keys.TryGetValue(e.Table + ":" + Convert.ToHexString(e.Key), out var other))
            {
                why = $"BPF LSM: {PolicyKinds.Name(e.Source.Kind)} '{e.Source.Value}' is already an entry of rule '{other}' (one entry per object)";
                return null;
            }
        }

        var applyErrors = _lsm!.Write(entries);
        if (applyErrors.Count > 0)
        {
            why = "BPF LSM: " + string.Join("; ", applyErrors);
            return null;
        }

        foreach (var e in entries)
        {
            keys[e.Table + ":" + Convert.ToHexString(e.Key)] = plan.RuleName;
        }

        _lsmApplied.AddRange(entries);
        return new RuleEnforcement
        {
            Rule = plan.RuleName,
            Action = plan.Action,
            Mechanism = RuleEnforcement.Lsm,
            Detail = string.Join("; ", plan.Terms.Select(t => t.ToString())),
            Monitor = monitor,
            Location = plan.Location,
            Notes = plan.Notes,
        };
    }

    private bool EnsureLsm()
    {
        if (_lsm is not null)
        {
            return true;
        }

        if (_lsmTried)
        {
            return false;
        }

        _lsmTried = true;
        if (!Paths.BpfLsmListed)
        {
            _lsmFailure = Paths.LsmHint ?? "'bpf' is not an active LSM";
            return false;
        }

        try
        {
            _lsm = LsmEnforcer.Start(_lsmOptions, _logger);
            return true;
        }
        catch (Exception ex) when (ex is LsmEnforcementException or BpfException or IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            _lsmFailure = ex.Message;
            Paths = EnforcementPaths.Probe(lsmLoadable: false);
            LogLsmUnavailable(_logger, ex.Message);
            return false;
        }
    }

    // ---- cgroup network programs

    private RuleEnforcement? TryCgroup(EnforcementPlan plan, uint id, bool monitor, Dictionary<string, string> keys, out string? why)
    {
        why = null;
        if (plan.Action != RuleAction.Deny)
        {
            why = $"kill needs BPF LSM (cgroup programs can refuse but not kill; user space kills){(_lsmFailure is null ? string.Empty : ": " + _lsmFailure)}";
            return null;
        }

        if (!plan.Terms.All(t => t.IsNetwork))
        {
            var t = plan.Terms.First(t => !t.IsNetwork);
            why = $"{t.Kind switch { KernelTermKind.Uid => "uid", KernelTermKind.Cgroup => "container", KernelTermKind.ExecPath => "exec", _ => "file" }} terms need BPF LSM{(_lsmFailure is null ? string.Empty : ": " + _lsmFailure)}";
            return null;
        }

        var rules = new List<CgroupDenyRule>(plan.Terms.Count);
        foreach (var t in plan.Terms)
        {
            ulong cgroupId = 0;
            if (t.ContainerId is { } cid)
            {
                if (_containerCgroup(cid) is not { } dir || CgroupPaths.CgroupId(dir) is not { } cg)
                {
                    why = $"container {cid} has no cgroup on this host (not running?)";
                    return null;
                }

                cgroupId = cg;
            }

            rules.Add(new CgroupDenyRule
            {
                Operation = t.Kind == KernelTermKind.ConnectCidr ? CgroupOperation.Connect : CgroupOperation.Bind,
                Network = IPNetwork.Parse(t.Value),
                Port = t.Port,
                CgroupId = cgroupId,
                RuleId = id,
                Monitor = monitor,
            });
        }

        foreach (var r in rules)
        {
            if (keys.TryGetValue(CgroupKey(r), out var other))
            {
                why = $"cgroup: {r} is already an entry of rule '{other}' (one entry per address, port and cgroup)";
                return null;
            }
        }

        if (!EnsureCgroup())
        {
            why = "cgroup programs unavailable: " + _cgroupFailure;
            return null;
        }

        var added = new List<CgroupDenyRule>();
        try
        {
            foreach (var r in rules)
            {
                _cgroup!.AddDeny(r);
                added.Add(r);
            }
        }
        catch (BpfException ex)
        {
            foreach (var r in added)
            {
                _cgroup!.RemoveDeny(r);
            }

            why = "cgroup: " + ex.Message;
            return null;
        }

        foreach (var r in rules)
        {
            keys[CgroupKey(r)] = plan.RuleName;
        }

        _cgroupApplied.AddRange(rules);
        return new RuleEnforcement
        {
            Rule = plan.RuleName,
            Action = plan.Action,
            Mechanism = RuleEnforcement.Cgroup,
            Detail = $"{string.Join('+', rules.Select(r => r.Operation == CgroupOperation.Connect ? "connect4/6" : "bind4/6").Distinct())} at {_cgroupRoot} ({string.Join("; ", plan.Terms.Select(t => t.Describe()))})",
            Monitor = monitor,
            Location = plan.Location,
            Notes = plan.Notes,
        };
    }

    private static string CgroupKey(CgroupDenyRule r) => $"{r.Operation}:{r.Network}:{r.Port}:{r.CgroupId}";

    private bool EnsureCgroup()
    {
        if (_cgroup is not null)
        {
            return true;
        }

        if (_cgroupTried)
        {
            return false;
        }

        _cgroupTried = true;
        if (_cgroupRoot is null)
        {
            _cgroupFailure = "no cgroup v2 hierarchy is mounted";
            return false;
        }

        CgroupEnforcer? enforcer = null;
        try
        {
            enforcer = CgroupEnforcer.Load(OnCgroupDecision, _logger, options: _cgroupOptions);
            enforcer.Attach(_cgroupRoot);
            _cgroup = enforcer;
            return true;
        }
        catch (Exception ex) when (ex is BpfException or IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            enforcer?.Dispose();
            _cgroupFailure = ex.Message;
            LogCgroupUnavailable(_logger, ex.Message);
            return false;
        }
    }

    // ---- removal, decisions, disposal

    /// <summary>Removes every policy entry from the BPF LSM maps and the cgroup deny maps. Caller holds the gate.</summary>
    private void RemoveAll()
    {
        _lsmApplied.Clear();
        _cgroupApplied.Clear();
        _lsm?.RemoveExcept(Array.Empty<PolicyEntry>());
        try
        {
            _cgroup?.RemoveExcept(Array.Empty<CgroupDenyRule>());
        }
        catch (BpfException ex)
        {
            LogStaleRemoveFailed(_logger, "cgroup", ex.Message);
        }
    }

    private void EnsurePoller()
    {
        if (_poller is not null || (_lsm is null && _cgroup is null))
        {
            return;
        }

        _poller = new Thread(Poll) { IsBackground = true, Name = "harrier-enforcement-decisions" };
        _poller.Start();
    }

    private void Poll()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            LsmEnforcer? lsm;
            CgroupEnforcer? cgroup;
            lock (_gate)
            {
                lsm = _lsm;
                cgroup = _cgroup;
            }

            bool both = lsm is not null && cgroup is not null;
            try
            {
                lsm?.PollDecisions(both ? 50 : 100, d => Deliver(d.ToEvent(lsm.RuleName(d.RuleId))));
                cgroup?.PollDecisions(both ? 50 : 100);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private void OnCgroupDecision(DecisionEvent e)
    {
        if (e.Policy is { } p && p.StartsWith("cgroup-", StringComparison.Ordinal)
            && uint.TryParse(p.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
        {
            lock (_gate)
            {
                if (_ruleNames.TryGetValue(id, out var name))
                {
                    e.Policy = name;
                }
            }
        }

        Deliver(e);
    }

    private void Deliver(DecisionEvent e)
    {
        Interlocked.Increment(ref _decisions);
        try
        {
            _onDecision(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogCallbackFailed(_logger, ex);
        }
    }

    /// <summary>
    /// Finds the cgroup v2 directory of a container: a directory below <paramref name="root"/> whose name contains the
    /// id (docker-ID.scope, cri-containerd-ID.scope, libpod-ID.scope, ID). Null when none or more than one match.
    /// </summary>
    internal static string? FindContainerCgroup(string? root, string id)
    {
        if (root is null || id.Length < 12)
        {
            return null;
        }

        string? found = null;
        int seen = 0;
        var stack = new Stack<(string Dir, int Depth)>();
        stack.Push((root, 0));
        while (stack.Count > 0 && seen < 100_000)
        {
            var (dir, depth) = stack.Pop();
            IEnumerable<string> children;
            try
            {
                children = Directory.EnumerateDirectories(dir).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var child in children)
            {
                seen++;
                if (Path.GetFileName(child).Contains(id, StringComparison.Ordinal))
                {
                    if (found is not null && found != child)
                    {
                        return null; // ambiguous
                    }

                    found = child;
                }
                else if (depth < 8)
                {
                    stack.Push((child, depth + 1));
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Stops the decision thread and releases the BPF LSM and cgroup handles. Their links and maps stay pinned and
    /// enforcing (policy outlives the process until the next coordinator takes over) unless <paramref name="unpin"/>.
    /// </summary>
    public void Dispose() => Dispose(unpin: false);

    /// <summary>
    /// As <see cref="Dispose()"/>; with <paramref name="unpin"/> the policy entries are removed too (after
    /// <see cref="Update"/> the maps hold only this coordinator's rules; self-protection entries stay), and the pins
    /// of the cgroup programs (always) and of the BPF LSM programs (when loaded, not maps-only) are removed.
    /// </summary>
    public void Dispose(bool unpin)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stop.Cancel();
        _poller?.Join(TimeSpan.FromSeconds(5));
        lock (_gate)
        {
            if (unpin)
            {
                RemoveAll();
            }

            _cgroup?.Dispose(); // closes our handles: the pinned links keep the programs attached
            _cgroup = null;
            if (unpin)
            {
                foreach (var problem in CgroupEnforcer.Unpin(_cgroupOptions.PinRoot, _logger))
                {
                    LogStaleRemoveFailed(_logger, "cgroup", problem);
                }
            }

            bool hadLsm = _lsm is not null;
            _lsm?.Dispose();
            _lsm = null;
            if (unpin && hadLsm && !_lsmOptions.MapsOnly)
            {
                LsmEnforcer.Unpin(_lsmOptions.PinRoot, _logger); // Enforcement:UnpinOnStop: the pinned programs and maps go too
            }
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 3120, Level = LogLevel.Warning, Message = "Enforcement:Lsm:SelfProtect is on but cannot take effect: {Reason}")]
    private static partial void LogSelfProtectionUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Enforcement ({Mode}): exec deny via {Exec}, file deny via {File}, network deny via {Network}, kill via {Kill}; {LsmStatus}")]
    private static partial void LogMechanisms(ILogger logger, string mode, string exec, string file, string network, string kill, string lsmStatus);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "enforcement: {Rule} -> {Mechanism} {Detail} (monitor: {Monitor})")]
    private static partial void LogRuleInKernel(ILogger logger, string rule, string mechanism, string detail, bool monitor);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "enforcement: {Rule} -> user space only: {Reason}")]
    private static partial void LogRuleUserSpace(ILogger logger, string rule, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "BPF LSM is not usable, deny rules fall back to cgroup programs or user space: {Reason}")]
    private static partial void LogLsmUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "cgroup network programs are not usable, network deny rules stay in user space: {Reason}")]
    private static partial void LogCgroupUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Removing {Mechanism} entries that the current rules do not have failed: {Reason}")]
    private static partial void LogStaleRemoveFailed(ILogger logger, string mechanism, string reason);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Error, Message = "enforcement decision callback failed")]
    private static partial void LogCallbackFailed(ILogger logger, Exception error);
}
