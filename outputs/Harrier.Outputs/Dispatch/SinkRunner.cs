using System.Threading.Channels;
using Harrier.Events;
using Harrier.Outputs.Spool;
using Microsoft.Extensions.Logging;

namespace Harrier.Outputs.Dispatch;

/// <summary>
/// One sink's bounded queue (in memory, or the on-disk spool) and its single worker. <see cref="Offer"/> never blocks on
/// the sink: a slow or dead sink only fills its own queue, after which its alerts are dropped and counted.
/// Thread-safety: <see cref="Offer"/> from any thread; the worker is the only caller of the sink.
/// </summary>
internal sealed partial class SinkRunner : ISinkHealth
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_batchLinger = TimeSpan.FromMilliseconds(2);

    private readonly SinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<Alert> _raise;
    private readonly RuleRateLimiter? _rate;
    private readonly Channel<Alert>? _queue;
    private readonly CancellationTokenSource _abort = new();
    private readonly List<SpoolRecord> _pending = new();
    private readonly int _nearFullPercent;
    private IAlertSink? _sink;
    private AlertSpool? _spool;
    private Task _worker = Task.CompletedTask;
    private volatile bool _stopping;
    private int _healthy = 1;
    private int _nearFull;
    private int _overflowing;
    private long _oldestDropsAtReset; // spool.DroppedOldest when the level last fell back: only drops after it are news
    private long _sent;
    private long _failed;
    private long _spooled;
    private long _dropped;
    private long _suppressed;
    private long _filtered;
    private long _queued;

    public SinkRunner(SinkOptions options, bool spooled, int nearFullPercent, TimeProvider time, ILogger logger, Action<Alert> raiseInternal)
    {
        _options = options;
        _nearFullPercent = nearFullPercent;
        _time = time;
        _logger = logger;
        _raise = raiseInternal;
        _rate = options.RateLimit is { } rl ? new RuleRateLimiter(rl, time) : null;
        if (!spooled)
        {
            _queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(options.QueueCapacity)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait, // TryWrite returns false when full: counted as dropped
            });
        }
    }

    public string Name => _options.Name;

    public SinkStats Stats => new(
        _options.Name,
        _options.Type,
        Interlocked.Read(ref _sent),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _spooled),
        Interlocked.Read(ref _dropped) + (_spool is { } s ? s.DroppedOldest + s.Corrupt : 0),
        Interlocked.Read(ref _suppressed),
        Interlocked.Read(ref _filtered),
        _spool?.Pending ?? Interlocked.Read(ref _queued),
        _spool?.Bytes ?? 0,
        Volatile.Read(ref _healthy) == 1);

    /// <summary>Attaches the sink (and spool) and starts the worker.</summary>
    public void Start(IAlertSink sink, AlertSpool? spool)
    {
        _sink = sink;
        _spool = spool;
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Applies the priority filter and rate limit, then queues or spools. False only when the alert was dropped.</summary>
    public bool Offer(Alert alert)
    {
        if (alert.Priority > _options.MinimumPriority)
        {
            Interlocked.Increment(ref _filtered);
            return true;
        }

        if (_rate is not null && alert.Source != InternalAlerts.Source && !_rate.TryAcquire(alert.Rule))
        {
            Interlocked.Increment(ref _suppressed);
            return true;
        }

        if (_spool is { } spool)
        {
            // A spool takes alerts while the sink drains at stop too; once it is closed, TryAppend refuses them.
            if (spool.TryAppend(alert))
            {
                Interlocked.Increment(ref _spooled);
                CheckSpoolLevel(spool);
                return true;
            }

            Interlocked.Increment(ref _dropped);
            if (_stopping)
            {
                return false;
            }

            if (Interlocked.Exchange(ref _overflowing, 1) == 0)
            {
                LogSpoolFull(_logger, Name);
                _raise(InternalAlerts.SpoolOverflow(Name, spool.DroppedNewest + spool.WriteErrors, "drop-newest", _time));
            }

            return false;
        }

        if (_stopping)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        if (_queue!.Writer.TryWrite(alert))
        {
            Interlocked.Increment(ref _queued);
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Stops accepting, delivers what is queued until <paramref name="drainTimeout"/>, then aborts the sink and disposes it.</summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        _stopping = true;
        _queue?.Writer.TryComplete();
        try
        {
            await _worker.WaitAsync(drainTimeout, TimeProvider.System).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogDrainTimeout(_logger, Name, drainTimeout.TotalSeconds);
        }

        _abort.Cancel();
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException)
        {
            // Aborted on purpose.
        }

        if (_queue is not null)
        {
            long lost = 0;
            while (_queue.Reader.TryRead(out _))
            {
                lost++;
            }

            if (lost > 0)
            {
                Interlocked.Add(ref _dropped, lost);
                Interlocked.Add(ref _queued, -lost);
                LogLostAtStop(_logger, Name, lost);
            }
        }

        if (_sink is not null)
        {
            try
            {
                await _sink.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogSinkError(_logger, Name, e.Message);
            }
        }

        _spool?.Dispose();
        _abort.Dispose();
    }

    public void ReportDown(string reason)
    {
        if (Interlocked.Exchange(ref _healthy, 0) == 1)
        {
            LogDown(_logger, Name, reason);
            _raise(InternalAlerts.SinkDown(Name, reason, _time));
        }
    }

    public void ReportUp()
    {
        if (Interlocked.Exchange(ref _healthy, 1) == 0)
        {
            LogUp(_logger, Name);
            _raise(InternalAlerts.SinkUp(Name, _time));
        }
    }

    private void CheckSpoolLevel(AlertSpool spool)
    {
        long bytes = spool.Bytes;
        long threshold = spool.MaxBytes / 100 * _nearFullPercent;
        if (bytes >= threshold)
        {
            if (Interlocked.Exchange(ref _nearFull, 1) == 0)
            {
                _raise(InternalAlerts.SpoolNearFull(Name, bytes, spool.MaxBytes, _time));
            }

            long dropped = spool.DroppedOldest;
            if (dropped > Interlocked.Read(ref _oldestDropsAtReset) && Interlocked.Exchange(ref _overflowing, 1) == 0)
            {
                LogSpoolFull(_logger, Name);
                _raise(InternalAlerts.SpoolOverflow(Name, dropped, "drop-oldest", _time));
            }
        }
        else if (bytes < threshold / 2)
        {
            Volatile.Write(ref _nearFull, 0);
            if (Interlocked.Exchange(ref _overflowing, 0) == 1)
            {
                Interlocked.Exchange(ref _oldestDropsAtReset, spool.DroppedOldest);
            }
        }
    }

    private async Task RunAsync()
    {
        int crashes = 0;
        while (!_abort.IsCancellationRequested)
        {
            try
            {
                await RunLoopAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Never let the worker die silently: report, back off, resume (spooled alerts are re-read from the commit point).
                crashes++;
                LogWorkerCrashed(_logger, Name, e.ToString());
                ReportDown("worker error: " + e.Message);
                if (_spool is not null)
                {
                    // Re-read everything not yet committed; in-memory sinks keep their pending batch.
                    _pending.Clear();
                    _spool.Rewind();
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * Math.Pow(2, Math.Min(crashes, 10)))), _time, _abort.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RunLoopAsync()
    {
        List<SpoolRecord> pending = _pending;
        var alerts = new List<Alert>(_options.BatchSize);
        int attempt = 0;
        CancellationToken ct = _abort.Token;
        while (!ct.IsCancellationRequested)
        {
            if (pending.Count == 0 && !await FillAsync(pending, ct).ConfigureAwait(false))
            {
                break;
            }

            alerts.Clear();
            foreach (SpoolRecord r in pending)
            {
                alerts.Add(r.Alert);
            }

            IReadOnlyList<DeliveryStatus>? statuses = null;
            Exception? error = null;
            try
            {
                await _sink!.EmitAsync(alerts, ct).ConfigureAwait(false);
            }
            catch (SinkBatchException e)
            {
                statuses = e.Statuses;
                error = e;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                error = e;
            }

            int keep = 0;
            long commitUpTo = -1;
            bool prefix = true;
            for (int i = 0; i < pending.Count; i++)
            {
                DeliveryStatus st = error is null ? DeliveryStatus.Delivered
                    : statuses is not null && i < statuses.Count ? statuses[i] : DeliveryStatus.Failed;
                switch (st)
                {
                    case DeliveryStatus.Delivered:
                        Interlocked.Increment(ref _sent);
                        break;
                    case DeliveryStatus.Rejected:
                        Interlocked.Increment(ref _failed);
                        LogRejected(_logger, Name, pending[i].Alert.Uuid, pending[i].Alert.Rule, error?.Message ?? string.Empty);
                        break;
                    default:
                        pending[keep++] = pending[i];
                        prefix = false;
                        continue;
                }

                if (prefix)
                {
                    commitUpTo = pending[i].Seq + 1;
                }
            }

            int done = pending.Count - keep;
            pending.RemoveRange(keep, pending.Count - keep);
            if (_queue is not null)
            {
                Interlocked.Add(ref _queued, -done);
            }

            if (commitUpTo >= 0)
            {
                _spool?.Commit(commitUpTo);
            }

            if (keep == 0)
            {
                attempt = 0;
                ReportUp();
                continue;
            }

            attempt++;
            ReportDown(error?.Message ?? "delivery failed");
            if (_spool is null && attempt > _options.MaxRetries)
            {
                Interlocked.Add(ref _failed, keep);
                Interlocked.Add(ref _queued, -keep);
                LogGaveUp(_logger, Name, keep, attempt, error?.Message ?? string.Empty);
                pending.Clear();
                attempt = 0;
                continue;
            }

            TimeSpan delay = TimeSpan.FromMilliseconds(Math.Min(s_maxBackoff.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(attempt - 1, 20))));
            try
            {
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (pending.Count > 0 && _spool is null)
        {
            Interlocked.Add(ref _dropped, pending.Count);
            Interlocked.Add(ref _queued, -pending.Count);
            LogLostAtStop(_logger, Name, pending.Count);
        }
    }

    /// <summary>Fills <paramref name="pending"/> with the next batch; false when stopping and nothing is left.</summary>
    private async Task<bool> FillAsync(List<SpoolRecord> pending, CancellationToken ct)
    {
        if (_spool is { } spool)
        {
            var records = new List<SpoolRecord>(_options.BatchSize);
            while (true)
            {
                spool.SyncIfDue();
                records.Clear();
                int progress = spool.ReadBatch(records, _options.BatchSize);
                if (records.Count > 0)
                {
                    pending.AddRange(records);
                    return true;
                }

                if (progress > 0)
                {
                    continue;
                }

                if (_stopping && spool.Unread == 0)
                {
                    return false;
                }

                try
                {
                    if (await spool.WaitAsync(TimeSpan.FromMilliseconds(_stopping ? 10 : 200), ct).ConfigureAwait(false) && !_stopping)
                    {
                        // Woken by an append while idle: let a few more arrive so the sink gets a batch, not one alert
                        // per wake-up (a scheduling detail, in real time; at most 2 ms of extra latency).
                        await Task.Delay(s_batchLinger, ct).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }

        ChannelReader<Alert> reader = _queue!.Reader;
        while (true)
        {
            while (pending.Count < _options.BatchSize && reader.TryRead(out Alert? a))
            {
                pending.Add(new SpoolRecord(0, a));
            }

            if (pending.Count > 0)
            {
                return true;
            }

            try
            {
                if (!await reader.WaitToReadAsync(ct).ConfigureAwait(false))
                {
                    return false;
                }
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Alert sink {Sink} is down: {Reason}")]
    private static partial void LogDown(ILogger logger, string sink, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Alert sink {Sink} is delivering again")]
    private static partial void LogUp(ILogger logger, string sink);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Alert sink {Sink} rejected alert {Uuid} (rule {Rule}) for good: {Reason}")]
    private static partial void LogRejected(ILogger logger, string sink, Guid uuid, string rule, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Alert sink {Sink}: gave up on {Count} alerts after {Attempts} attempts: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string sink, int count, int attempts, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Error, Message = "Alert sink {Sink}: {Count} queued alerts not delivered before stop")]
    private static partial void LogLostAtStop(ILogger logger, string sink, long count);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Alert sink {Sink}: drain did not finish within {Seconds} s; spooled alerts are kept for the next start")]
    private static partial void LogDrainTimeout(ILogger logger, string sink, double seconds);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Error, Message = "Alert sink {Sink}: spool full, alerts are being dropped")]
    private static partial void LogSpoolFull(ILogger logger, string sink);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Error, Message = "Alert sink {Sink}: worker failed and restarts: {Error}")]
    private static partial void LogWorkerCrashed(ILogger logger, string sink, string error);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Error, Message = "Alert sink {Sink}: {Reason}")]
    private static partial void LogSinkError(ILogger logger, string sink, string reason);
}
