using System.Runtime.InteropServices;
using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Ingest;
using Harrier.Engine.Loading;
using Harrier.Engine.Pipeline;
using Harrier.Engine.Verdicts;
using Harrier.Events;
using Harrier.Interop;
using Harrier.Outputs;
using Harrier.Rules;
using Harrier.Host.Configuration;
using Harrier.Host.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Harrier.Host.Service;

/// <summary>
/// The main job: kernel probes → enrichment → rules → verdicts → sinks. Start-up attaches everything before
/// returning (so systemd's READY=1, sent by the host after all StartAsync calls, means "probes attached and rules
/// loaded"); SIGHUP reloads the rules off the hot path and swaps them atomically; stop drains the ring, then the
/// sinks. A start-up failure is logged as one line and the process exits with code 1.
/// </summary>
internal sealed partial class EngineService : IHostedService, IDisposable
{
    private readonly EngineSettings _settings;
    private EngineSettings _current;
    private readonly CompiledRuleSet _initialRules;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private KernelEventSource? _source;
    private AlertDispatcher? _dispatcher;
    private EventPipeline? _pipeline;
    private DetectionStage? _detection;
    private ProcessTable? _processes;
    private PosixSignalRegistration? _sighup;
    private ITimer? _lossTimer;
    private DropMonitor? _drops;
    private int _reloadRequests;
    private int _stopped;
    private long _reloadFailures;
    private long _reloads;
    private double _rulesLoadSeconds;
    private long _rulesLoadedAt;
    private readonly SystemdNotifier _systemd = new();
    private MetricsServer? _metrics;
    private RingBufferFill? _ringFill;
    private EnforcementCoordinator? _enforcement;
    private readonly object _pipelineGate = new();
    private readonly string _hostname = EventPipeline.HostName(); // read once: decision alerts must not read /proc each
    private HealthEvaluator? _health;
    private readonly List<FileSystemWatcher> _watchers = new();
    private ITimer? _debounce;

    public EngineService(EngineSettings settings, CompiledRuleSet rules, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        _settings = settings;
        _current = settings;
        _initialRules = rules;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Harrier.Host.Engine");
        _time = time ?? TimeProvider.System;
        _rulesLoadSeconds = rules.CompileTime.TotalSeconds;
        _rulesLoadedAt = _time.GetUtcNow().ToUnixTimeSeconds();
    }

    /// <summary>Every counter, for /metrics, /healthz and support output. Thread-safe.</summary>
    public EngineSnapshot Snapshot()
    {
        var stats = _source?.Stats;
        return new EngineSnapshot
        {
            ProbesAttached = _source is not null && stats is not null,
            RulesLoaded = _detection is not null,
            EventsReceived = stats?.Received ?? 0,
            ReceivedPerType = stats?.ReceivedPerType ?? new Dictionary<EventType, long>(),
            KernelLostPerType = stats?.KernelLostPerType ?? new Dictionary<EventType, ulong>(),
            UserLost = stats?.UserLost ?? 0,
            DecoderBackPressure = stats?.BackPressure ?? 0,
            DecodeErrors = stats?.DecodeErrors ?? 0,
            KernelErrors = stats?.HelperErrors ?? new Dictionary<string, ulong>(),
            RingBufferBytes = _settings.Probes.RingBufferBytes,
            RingBufferPending = _ringFill?.PendingBytes ?? 0,
            MatchesPerRule = _pipeline?.MatchesPerRule ?? new Dictionary<string, long>(),
            Sinks = _dispatcher?.Stats ?? [],
            ProcessTableSize = _processes?.Count ?? 0,
            ProcessTableEvictions = _processes?.Evictions ?? 0,
            FdNameOverflows = _processes?.FdOverflows ?? 0,
            ContainerMetadataRead = _processes?.ContainerMetadata.Read ?? 0,
            ContainerMetadataMissing = _processes?.ContainerMetadata.Missing ?? 0,
            DnsNames = Harrier.Rules.Fields.DnsNameCache.Shared.Count,
            DnsLookups = Harrier.Rules.Fields.DnsNameCache.Shared.Lookups,
            DnsLookupFailures = Harrier.Rules.Fields.DnsNameCache.Shared.Failures,
            Rules = _detection?.RuleSet.Rules.Count ?? 0,
            RulesLoadSeconds = Volatile.Read(ref _rulesLoadSeconds),
            RulesLoadedUnixSeconds = Interlocked.Read(ref _rulesLoadedAt),
            Reloads = Interlocked.Read(ref _reloads),
            ReloadFailures = Interlocked.Read(ref _reloadFailures),
            VerdictsEnforced = _pipeline?.Verdicts ?? new Dictionary<string, long>(),
        };
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _dispatcher = AlertDispatcher.Create(_settings.Outputs, _loggerFactory);
            _processes = new ProcessTable(_settings.Enrichment, logger: _loggerFactory.CreateLogger("Harrier.Engine.Enrichment"));
            int seeded = _processes.Seed();
            _detection = new DetectionStage(_initialRules);
            // Deny/kill rules the kernel can evaluate go to BPF LSM or cgroup programs; the rest stay in user space.
            _enforcement = EnforcementCoordinator.Start(_initialRules, _settings.Enforcement, OnDecision, _loggerFactory.CreateLogger("Harrier.Engine.Enforcement"));
            var verdicts = new VerdictRouter(_settings.Enforcement, _loggerFactory.CreateLogger("Harrier.Engine.Verdicts"), enforcedInKernel: _enforcement.EnforcedInKernel);
            _pipeline = new EventPipeline(_processes, _detection, verdicts, a => _dispatcher.Publish(a), _hostname)
            {
                Explain = SeccompExplainer(),
            };
            _source = KernelEventSource.Open(_settings.Probes, _loggerFactory);
            _source.SetInterestingTypes(_initialRules.InterestingTypes.ToArray());
            _ringFill = RingBufferFill.Open(_source.Probes.EventsFd, out int mmapErrno);
            if (_ringFill is null)
            {
                LogRingFillUnavailable(_logger, mmapErrno);
            }

            _source.Start(batch =>
            {
                lock (_pipelineGate)
                {
                    _pipeline.OnBatch(batch);
                }
            });
            LogStarted(_logger, _initialRules.Rules.Count, _initialRules.InterestingTypes.Count, seeded, _settings.Enforcement.Mode);
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
            {
                ctx.Cancel = true;
                _ = Task.Run(ReloadConfigAndRules);
            });
            var window = TimeSpan.FromSeconds(_settings.Drops.WindowSeconds);
            _drops = new DropMonitor(_settings.Drops, _time);
            _lossTimer = _time.CreateTimer(_ => CheckLoss(), null, window, window);
            _health = new HealthEvaluator(_settings.Metrics, _time);
            if (_settings.Metrics.Enabled)
            {
                _metrics = new MetricsServer(_settings.Metrics, Snapshot, _health, _loggerFactory.CreateLogger("Harrier.Host.Metrics"));
                try
                {
                    _metrics.Start();
                    LogMetrics(_logger, _metrics.Prefix);
                }
                catch (System.Net.HttpListenerException ex)
                {
                    LogMetricsFailed(_logger, _settings.Metrics.Listen, ex.Message);
                    _metrics = null;
                }
            }

            if (_settings.Rules.WatchFiles)
            {
                WatchRuleFiles();
            }

            // READY=1 only now: probes attached and rules loaded.
            _systemd.Notify(new ServiceState("READY=1\nSTATUS=watching"));
        }
        catch (ProbeStartupException ex)
        {
            LogStartFailed(_logger, ex.Message);
            Environment.ExitCode = 1;
            // Release what did start, then fail the host's start: the host then never reports itself started, so
            // neither this service nor the systemd lifetime sends READY=1 and systemd sees a failed start (and
            // Restart=on-failure applies) instead of a service that became ready and died. RunCommand exits 1.
            await StopAsync(cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return; // a failed start already stopped what had started
        }

        _systemd.Notify(ServiceState.Stopping);
        if (_metrics is not null)
        {
            await _metrics.DisposeAsync().ConfigureAwait(false);
        }

        _lossTimer?.Dispose();
        _sighup?.Dispose();
        _source?.Stop();
        _enforcement?.Dispose(unpin: _settings.Enforcement.UnpinOnStop);
        if (_dispatcher is not null)
        {
            await _dispatcher.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        if (_source is not null)
        {
            var s = _source.Stats;
            LogStats(_logger, s.Received, s.KernelLost, s.UserLost, _pipeline?.Alerts ?? 0, _processes?.Count ?? 0, _processes?.Evictions ?? 0);
        }
    }

    /// <summary>
    /// Reloads the rule files; on failure keeps the old set and raises an internal alert with the errors. Runs only
    /// inside <see cref="ReloadConfigAndRules"/>, which lets one reload run at a time.
    /// </summary>
    private void ReloadRules()
    {
        if (_detection is null)
        {
            return;
        }

        NotifyReloading();
        try
        {
            long started = _time.GetTimestamp();
            var result = Volatile.Read(ref _current).LoadRules();
            if (!result.Success || result.RuleSet is null)
            {
                Interlocked.Increment(ref _reloadFailures);
                LogReloadFailed(_logger, result.Errors.Count);
                _dispatcher?.RaiseInternal(InternalAlerts.ReloadFailed("rule set", string.Join("; ", result.Errors.Take(10).Select(e => e.ToString())), _time, _hostname));
                return;
            }

            _detection.Swap(result.RuleSet);
            _enforcement?.Update(result.RuleSet);
            Interlocked.Increment(ref _reloads);
            Volatile.Write(ref _rulesLoadSeconds, _time.GetElapsedTime(started).TotalSeconds);
            Interlocked.Exchange(ref _rulesLoadedAt, _time.GetUtcNow().ToUnixTimeSeconds());
            _source?.SetInterestingTypes(result.RuleSet.InterestingTypes.ToArray());
            LogReloaded(_logger, result.RuleSet.Rules.Count, _detection.Generation);
        }
        finally
        {
            _systemd.Notify(new ServiceState("READY=1"));
        }
    }

    public void Dispose()
    {
        foreach (var w in _watchers)
        {
            w.Dispose();
        }

        _debounce?.Dispose();
        _ringFill?.Dispose(); // after the metrics server stopped (StopAsync): no scrape reads the pages any more
        _source?.Dispose();
        _sighup?.Dispose();
        _lossTimer?.Dispose();
    }

    /// <summary>Watches the rule files and directories; a change reloads after 500 ms of quiet (editors write in bursts).</summary>
    private void WatchRuleFiles()
    {
        _debounce = _time.CreateTimer(_ => ReloadConfigAndRules(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // The drop-in directory too: a drop-in added there is a configuration change like an edit of one read at start.
        var dropIns = Directory.Exists(ConfigurationLocations.Default.DropInDirectory) ? [ConfigurationLocations.Default.DropInDirectory] : Array.Empty<string>();
        foreach (string path in _settings.RulePaths.Concat(_settings.ConfigFiles).Concat(dropIns).Distinct(StringComparer.Ordinal))
        {
            bool dir = Directory.Exists(path);
            string? folder = dir ? path : Path.GetDirectoryName(path);
            if (folder is null || !Directory.Exists(folder))
            {
                continue;
            }

            var w = new FileSystemWatcher(folder)
            {
                Filter = dir ? "*" : Path.GetFileName(path),
                IncludeSubdirectories = dir,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            FileSystemEventHandler changed = (_, e) =>
            {
                if (!dir || e.Name is null || e.Name.EndsWith(".yaml", StringComparison.Ordinal) || e.Name.EndsWith(".yml", StringComparison.Ordinal) || e.Name.EndsWith(".json", StringComparison.Ordinal))
                {
                    _debounce?.Change(TimeSpan.FromMilliseconds(500), Timeout.InfiniteTimeSpan);
                }
            };
            w.Changed += changed;
            w.Created += changed;
            w.Deleted += changed;
            w.Renamed += (s, e) => changed(s, e);
            w.EnableRaisingEvents = true;
            _watchers.Add(w);
        }
    }

    /// <summary>
    /// Seccomp profiles' own actions (errno, kill) leave no record: the probes see the call fail with the profile's
    /// errno or the process die of SIGSYS. Workloads started by <c>harrier exec</c> register in the run directory; this
    /// turns their such events into seccomp DecisionEvents for the rules (null when the directory cannot be made).
    /// </summary>
    private Func<HarrierEvent, DecisionEvent?>? SeccompExplainer()
    {
        string dir = Harrier.Seccomp.Observe.SeccompRunDirectory.Resolve();
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSeccompDirFailed(_logger, dir, ex.Message);
            return null;
        }

        var registry = new Harrier.Seccomp.Observe.SeccompProcessRegistry(_time, runDirectory: dir);
        return e => registry.TryExplain(e, out var d) ? d : null;
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Ring buffer positions could not be mapped (errno {Errno}): harrier_ringbuffer_pending_bytes stays 0")]
    private static partial void LogRingFillUnavailable(ILogger logger, int errno);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Seccomp run directory {Dir} unusable ({Reason}): profile denials of harrier exec workloads are not attributed")]
    private static partial void LogSeccompDirFailed(ILogger logger, string dir, string reason);

    /// <summary>
    /// A decision taken in the kernel (LSM hook, cgroup program) for a rule: it becomes that rule's alert with what
    /// the kernel did (<c>denied</c>, <c>killed</c>, <c>would-deny</c>). Called on the coordinator's polling thread.
    /// </summary>
    private void OnDecision(DecisionEvent d)
    {
        var rule = _detection?.RuleSet.Rules.FirstOrDefault(r => r.Name == d.Policy);
        ProcessInfo? p;
        lock (_pipelineGate)
        {
            // The process table belongs to the pipeline thread: read it under the same lock.
            p = _processes?.Find(d.Pid);
            d.Process ??= p;
        }

        _dispatcher?.Publish(new Alert
        {
            Uuid = Guid.NewGuid(),
            TimeNs = d.TimestampNs != 0 ? d.TimestampNs : _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000,
            Rule = rule?.Name ?? d.Policy ?? "kernel enforcement",
            Priority = rule?.Priority ?? Priority.Warning,
            Source = "syscall",
            Hostname = _hostname,
            Output = $"{d.Hook} {d.Action}: {d.Subject} (process={p?.Name ?? d.Comm} pid={d.Pid} exepath={p?.ExePath} user={p?.UserName} container={p?.ContainerId ?? "host"})",
            OutputFields =
            [
                new("evt.type", EventTypes.Name(d.Type)), new("harrier.hook", d.Hook), new("harrier.subject", d.Subject),
                new("proc.pid", (long)d.Pid), new("proc.name", p?.Name ?? d.Comm),
            ],
            Tags = rule?.Tags ?? [],
            Action = rule?.Action ?? RuleAction.Deny,
            Enforced = d.Action,
            EventId = d.EventId,
            Process = new AlertProcess { Pid = d.Pid, Ppid = d.Ppid, Name = p?.Name ?? d.Comm, ExePath = p?.ExePath ?? string.Empty, Uid = d.Uid, UserName = p?.UserName ?? string.Empty, ContainerId = p?.ContainerId ?? "host" },
        });
    }

    /// <summary>
    /// True while probes are attached, rules are loaded, events flow (or the host is measurably idle) and no sink
    /// fails beyond its threshold: the condition for systemd watchdog pings (see <c>SystemdWatchdog</c>).
    /// </summary>
    public bool IsHealthy => _health is not null && _health.Check(Snapshot()) is null;

    private void CheckLoss()
    {
        if (_source is null || _dispatcher is null || _drops is null)
        {
            return;
        }

        if (_drops.Observe(_source.Stats) is { } loss)
        {
            _dispatcher.RaiseInternal(InternalAlerts.EventLoss(loss.Lost, loss.Where, _time, _hostname));
        }
    }

    /// <summary>
    /// Re-reads the configuration (base file, drop-ins, environment, the original <c>-o</c>): invalid → the old one
    /// stays and an internal alert lists every problem; valid → new rule paths and matching apply, then the rules
    /// reload. Changes to other sections take effect after a restart (logged).
    /// </summary>
    public void ReloadConfigAndRules()
    {
        // One reload at a time; a request arriving meanwhile (SIGHUP, a file changed again) is not lost: the running
        // reload goes round once more, so the last version on disk is the one that ends up in force.
        if (Interlocked.Increment(ref _reloadRequests) > 1)
        {
            return;
        }

        do
        {
            Interlocked.Exchange(ref _reloadRequests, 1);
            ReloadConfigAndRulesOnce();
        }
        while (Interlocked.CompareExchange(ref _reloadRequests, 0, 1) != 1);
    }

    private void ReloadConfigAndRulesOnce()
    {
        var errors = new StringWriter();
        var (next, _) = EngineSettingsLoader.Load(_settings.ConfigPath, _settings.Overrides, _settings.CliRulePaths, errors);
        if (next is null)
        {
            NotifyReloading();
            Interlocked.Increment(ref _reloadFailures);
            _dispatcher?.RaiseInternal(InternalAlerts.ReloadFailed("configuration", errors.ToString().Trim().Replace(Environment.NewLine, "; ", StringComparison.Ordinal), _time, _hostname));
            _systemd.Notify(new ServiceState("READY=1"));
            return;
        }

        var old = Volatile.Read(ref _current);
        var restartOnly = new List<string>();
        if (next.Probes != old.Probes) restartOnly.Add("Probes");
        if (next.Enrichment != old.Enrichment) restartOnly.Add("Enrichment");
        if (next.Enforcement != old.Enforcement) restartOnly.Add("Enforcement");
        if (next.Metrics != old.Metrics) restartOnly.Add("Metrics");
        if (!ReferenceEquals(next.Outputs, old.Outputs) && System.Text.Json.JsonSerializer.Serialize(next.Outputs) != System.Text.Json.JsonSerializer.Serialize(old.Outputs)) restartOnly.Add("Outputs");
        if (restartOnly.Count > 0)
        {
            LogRestartNeeded(_logger, string.Join(", ", restartOnly));
        }

        // Only the rules part of the new configuration is taken live.
        Volatile.Write(ref _current, old with { Rules = next.Rules, RulePaths = next.RulePaths });
        ReloadRules();
    }

    /// <summary>RELOADING=1 with the monotonic time systemd asks for (sd_notify(3)); READY=1 follows when done.</summary>
    private void NotifyReloading() =>
        _systemd.Notify(new ServiceState($"RELOADING=1\nMONOTONIC_USEC={System.Diagnostics.Stopwatch.GetTimestamp() / (System.Diagnostics.Stopwatch.Frequency / 1_000_000)}"));

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Configuration changed in {Sections}: those changes take effect after a restart")]
    private static partial void LogRestartNeeded(ILogger logger, string sections);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Harrier started: {Rules} rules over {Types} event types, {Seeded} processes seeded, enforcement {Mode}")]
    private static partial void LogStarted(ILogger logger, int rules, int types, int seeded, string mode);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Critical, Message = "harrier: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Harrier stopped: {Received} events received, {KernelLost} lost in kernel, {UserLost} lost in user space, {Alerts} alerts, process table {Processes} entries ({Evictions} evictions)")]
    private static partial void LogStats(ILogger logger, long received, ulong kernelLost, long userLost, long alerts, int processes, long evictions);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Rules reload failed with {Errors} errors; the previous rule set stays in force")]
    private static partial void LogReloadFailed(ILogger logger, int errors);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Metrics and health endpoint on {Prefix} (/metrics, /healthz)")]
    private static partial void LogMetrics(ILogger logger, string prefix);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Metrics endpoint {Listen} could not be opened: {Reason}; running without it")]
    private static partial void LogMetricsFailed(ILogger logger, string listen, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Rules reloaded: {Rules} rules (generation {Generation})")]
    private static partial void LogReloaded(ILogger logger, int rules, int generation);
}
