using System.Runtime.InteropServices;
using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Ingest;
using Harrier.Engine.Loading;
using Harrier.Engine.Pipeline;
using Harrier.Engine.Verdicts;
using Harrier.Events;
using Harrier.Outputs;
using Harrier.Rules;
using Microsoft.Extensions.Hosting;
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
    private readonly CompiledRuleSet _initialRules;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private KernelEventSource? _source;
    private AlertDispatcher? _dispatcher;
    private EventPipeline? _pipeline;
    private DetectionStage? _detection;
    private ProcessTable? _processes;
    private PosixSignalRegistration? _sighup;
    private ITimer? _lossTimer;
    private ulong _lastLost;
    private long _lastReceived;
    private int _reloading;
    private long _reloadFailures;

    public EngineService(EngineSettings settings, CompiledRuleSet rules, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime, TimeProvider? time = null)
    {
        _settings = settings;
        _initialRules = rules;
        _loggerFactory = loggerFactory;
        _lifetime = lifetime;
        _logger = loggerFactory.CreateLogger("Harrier.Host.Engine");
        _time = time ?? TimeProvider.System;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _dispatcher = AlertDispatcher.Create(_settings.Outputs, _loggerFactory);
            _processes = new ProcessTable(_settings.Enrichment, logger: _loggerFactory.CreateLogger("Harrier.Engine.Enrichment"));
            int seeded = _processes.Seed();
            _detection = new DetectionStage(_initialRules);
            var verdicts = new VerdictRouter(_settings.Enforcement, _loggerFactory.CreateLogger("Harrier.Engine.Verdicts"));
            _pipeline = new EventPipeline(_processes, _detection, verdicts, a => _dispatcher.Publish(a));
            _source = KernelEventSource.Open(_settings.Probes, _loggerFactory);
            _source.SetInterestingTypes(_initialRules.InterestingTypes.ToArray());
            _source.Start(_pipeline.OnBatch);
            LogStarted(_logger, _initialRules.Rules.Count, _initialRules.InterestingTypes.Count, seeded, _settings.Enforcement.Mode);
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
            {
                ctx.Cancel = true;
                _ = Task.Run(Reload);
            });
            _lossTimer = _time.CreateTimer(_ => CheckLoss(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
        catch (ProbeStartupException ex)
        {
            LogStartFailed(_logger, ex.Message);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _lossTimer?.Dispose();
        _sighup?.Dispose();
        _source?.Stop();
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

    /// <summary>Reloads the rule files; on failure keeps the old set and raises an internal alert with the errors.</summary>
    public void Reload()
    {
        if (Interlocked.Exchange(ref _reloading, 1) == 1 || _detection is null)
        {
            return;
        }

        try
        {
            var result = RuleLoader.Load(_settings.RulePaths, new RuleLoadOptions
            {
                RuleMatching = _settings.Rules.RuleMatching == "first" ? RuleMatchingMode.First : RuleMatchingMode.All,
            });
            if (!result.Success || result.RuleSet is null)
            {
                Interlocked.Increment(ref _reloadFailures);
                LogReloadFailed(_logger, result.Errors.Count);
                _dispatcher?.RaiseInternal(new Alert
                {
                    Uuid = Guid.NewGuid(),
                    TimeNs = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000,
                    Rule = "Harrier rules reload failed",
                    Priority = Priority.Error,
                    Source = "internal",
                    Hostname = EventPipeline.HostName(),
                    Output = $"Rules reload failed, the previous rule set stays in force: {string.Join("; ", result.Errors.Take(10).Select(e => e.ToString()))}",
                });
                return;
            }

            _detection.Swap(result.RuleSet);
            _source?.SetInterestingTypes(result.RuleSet.InterestingTypes.ToArray());
            LogReloaded(_logger, result.RuleSet.Rules.Count, _detection.Generation);
        }
        finally
        {
            Volatile.Write(ref _reloading, 0);
        }
    }

    public void Dispose()
    {
        _source?.Dispose();
        _sighup?.Dispose();
        _lossTimer?.Dispose();
    }

    private void CheckLoss()
    {
        if (_source is null || _dispatcher is null)
        {
            return;
        }

        var s = _source.Stats;
        ulong lost = s.TotalLost - _lastLost;
        long received = s.Received - _lastReceived;
        _lastLost = s.TotalLost;
        _lastReceived = s.Received;
        if (lost > 0 && lost * 1000 > (ulong)Math.Max(1, received + (long)lost))
        {
            string where = string.Join(", ", s.KernelLostPerType.OrderByDescending(kv => kv.Value).Take(5).Select(kv => $"{EventTypes.Name(kv.Key)}={kv.Value}"));
            _dispatcher.RaiseInternal(InternalAlerts.EventLoss((long)lost, where.Length > 0 ? where : "user space", _time));
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Harrier started: {Rules} rules over {Types} event types, {Seeded} processes seeded, enforcement {Mode}")]
    private static partial void LogStarted(ILogger logger, int rules, int types, int seeded, string mode);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Critical, Message = "harrier: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Harrier stopped: {Received} events received, {KernelLost} lost in kernel, {UserLost} lost in user space, {Alerts} alerts, process table {Processes} entries ({Evictions} evictions)")]
    private static partial void LogStats(ILogger logger, long received, ulong kernelLost, long userLost, long alerts, int processes, long evictions);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Rules reload failed with {Errors} errors; the previous rule set stays in force")]
    private static partial void LogReloadFailed(ILogger logger, int errors);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Rules reloaded: {Rules} rules (generation {Generation})")]
    private static partial void LogReloaded(ILogger logger, int rules, int generation);
}
