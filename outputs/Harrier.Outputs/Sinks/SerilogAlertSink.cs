using Harrier.Events;
using Serilog.Core;

namespace Harrier.Outputs.Sinks;

/// <summary>
/// Base of the Serilog-backed sinks: writes each alert as a log event through a private Serilog logger and fails the batch
/// when the underlying Serilog sink reported a failure, so nothing is lost silently. Used by one worker at a time.
/// </summary>
internal abstract class SerilogAlertSink(string name) : IAlertSink
{
    private Logger? _logger;

    public string Name { get; } = name;

    protected FailureRecorder Failures { get; } = new();

    public ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct)
    {
        Logger logger = _logger ?? throw new InvalidOperationException("sink not initialised");
        var statuses = new DeliveryStatus[batch.Count];
        bool anyFailed = false;
        for (int i = 0; i < batch.Count; i++)
        {
            long before = Failures.Failures;
            logger.Write(ToLogEvent(batch[i]));
            bool ok = Failures.Failures == before;
            statuses[i] = ok ? DeliveryStatus.Delivered : DeliveryStatus.Failed;
            anyFailed |= !ok;
        }

        if (anyFailed)
        {
            throw new SinkBatchException($"sink '{Name}': write failed: {Failures.Last?.Message}", statuses, Failures.Last);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _logger?.Dispose();
        return ValueTask.CompletedTask;
    }

    protected void Initialise(Logger logger) => _logger = logger;

    /// <summary>The Serilog event carrying one alert (default: the alert object, rendered by <see cref="SerilogAlertFormatter"/>).</summary>
    protected virtual Serilog.Events.LogEvent ToLogEvent(Alert alert) => SerilogAlertFormatter.ToLogEvent(alert);
}
