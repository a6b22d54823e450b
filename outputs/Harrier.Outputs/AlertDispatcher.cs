using Harrier.Events;
using Harrier.Outputs.Dispatch;
using Harrier.Outputs.Spool;
using Microsoft.Extensions.Logging;

namespace Harrier.Outputs;

/// <summary>
/// Fans alerts out to every configured sink. Each sink has its own bounded queue (in memory, or the on-disk spool for
/// sinks that must not lose alerts) and its own worker, so a slow or dead sink never blocks <see cref="Publish"/> or
/// another sink. Per-sink counters are in <see cref="Stats"/>; health changes become internal alerts.
/// <para>Delivery guarantee for spooled sinks (Kafka by default): when <see cref="Publish"/> returns true the alert was
/// written to the spool (write(2) done), so it survives SIGKILL of Harrier and is delivered after restart, at least once,
/// in spool order; <c>uuid</c> is the de-duplication key. Power-loss durability follows <c>Outputs:Spool:Fsync</c>.
/// For in-memory sinks (console, file) alerts queued at a crash are lost; every other loss is counted.</para>
/// <para>Thread-safety: <see cref="Publish"/> may be called from any number of threads.</para>
/// </summary>
public sealed partial class AlertDispatcher : IAsyncDisposable
{
    [ThreadStatic]
    private static int t_raising;

    private readonly List<SinkRunner> _runners = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private int _stopped; // 0 running, 1 stopping (sinks draining), 2 stopped
    private long _published;
    private long _droppedAny;

    private AlertDispatcher(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised (synchronously, on the thread that noticed) for every internal alert; the alert is also published to the sinks.</summary>
    public event Action<Alert>? InternalAlert;

    /// <summary>One snapshot per sink, in configuration order.</summary>
    public IReadOnlyList<SinkStats> Stats => _runners.Select(r => r.Stats).ToArray();

    /// <summary>Alerts passed to <see cref="Publish"/>.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Alerts that at least one sink dropped.</summary>
    public long DroppedAny => Interlocked.Read(ref _droppedAny);

    /// <summary>
    /// Validates <paramref name="options"/>, opens the spools and builds and starts every sink.
    /// </summary>
    /// <exception cref="OutputsConfigurationException">Lists every configuration problem, or the sinks that failed to start.</exception>
    public static AlertDispatcher Create(OutputsOptions options, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.ThrowIfInvalid();
        time ??= TimeProvider.System;
        var dispatcher = new AlertDispatcher(loggerFactory.CreateLogger("Harrier.Outputs"), time);
        var errors = new List<string>();
        for (int i = 0; i < options.Sinks.Count; i++)
        {
            SinkOptions so = options.Sinks[i];
            SinkFactories.TryGet(so.Type, out ISinkFactory? factory);
            bool spooled = so.Spool ?? factory!.SpoolByDefault;
            ILogger sinkLogger = loggerFactory.CreateLogger("Harrier.Outputs." + so.Name);
            var runner = new SinkRunner(so, spooled, options.Spool.NearFullPercent, time, sinkLogger, dispatcher.RaiseInternal);
            AlertSpool? spool = null;
            try
            {
                if (spooled)
                {
                    spool = AlertSpool.Open(Path.Combine(options.Spool.Directory, so.Name), options.Spool, time, sinkLogger);
                }

                IAlertSink sink = factory!.Create(new SinkContext(so, loggerFactory, time, runner));
                runner.Start(sink, spool);
                dispatcher._runners.Add(runner);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                spool?.Dispose();
                errors.Add($"Outputs:Sinks:{i} ({so.Name}): cannot start: {e.Message}");
            }
        }

        if (errors.Count > 0)
        {
            dispatcher.StopAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            throw new OutputsConfigurationException(errors);
        }

        return dispatcher;
    }

    /// <summary>
    /// Hands the alert to every sink whose minimum priority and rate limit admit it. Never blocks on a sink.
    /// Returns false when at least one sink had to drop it (full queue/spool, or stopped); the drop is counted in <see cref="Stats"/>.
    /// </summary>
    public bool Publish(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Interlocked.Increment(ref _published);
        bool ok = true;
        foreach (SinkRunner r in _runners)
        {
            ok &= r.Offer(alert);
        }

        if (!ok)
        {
            Interlocked.Increment(ref _droppedAny);
        }

        return ok;
    }

    /// <summary>
    /// Stops accepting alerts and lets every sink deliver what it holds, for at most <paramref name="drainTimeout"/> per sink
    /// (sinks drain in parallel). What a spooled sink could not deliver stays in the spool for the next start.
    /// Idempotent.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        if (Interlocked.CompareExchange(ref _stopped, 1, 0) != 0)
        {
            return;
        }

        await Task.WhenAll(_runners.Select(r => r.StopAsync(drainTimeout))).ConfigureAwait(false);
        Volatile.Write(ref _stopped, 2);
        foreach (SinkStats s in Stats)
        {
            LogStopped(_logger, s.Name, s.Sent, s.Failed, s.Dropped, s.Suppressed, s.Pending);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(TimeSpan.FromSeconds(10)));

    /// <summary>
    /// Raises an internal alert: the <see cref="InternalAlert"/> event, then every sink (not re-entrantly). While the sinks
    /// drain at stop, a spooled sink still takes it (a "sink down" noticed during the drain reaches the SIEM after the
    /// next start); a queue-only sink counts it as dropped.
    /// </summary>
    public void RaiseInternal(Alert alert)
    {
        try
        {
            InternalAlert?.Invoke(alert);
        }
        catch (Exception e)
        {
            LogHandlerFailed(_logger, e.Message);
        }

        if (t_raising > 0 || Volatile.Read(ref _stopped) == 2)
        {
            return;
        }

        t_raising++;
        try
        {
            Publish(alert);
        }
        finally
        {
            t_raising--;
        }
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Alert sink {Sink} stopped: sent={Sent} failed={Failed} dropped={Dropped} suppressed={Suppressed} pending={Pending}")]
    private static partial void LogStopped(ILogger logger, string sink, long sent, long failed, long dropped, long suppressed, long pending);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "InternalAlert handler threw: {Reason}")]
    private static partial void LogHandlerFailed(ILogger logger, string reason);
}
