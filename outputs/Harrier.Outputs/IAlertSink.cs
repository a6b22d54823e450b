using Harrier.Events;

namespace Harrier.Outputs;

/// <summary>
/// A destination for alerts. The dispatcher calls <see cref="EmitAsync"/> from the sink's own single worker, never
/// concurrently, with batches in publication order.
/// <para>Contract: return normally only when every alert of the batch was delivered. Otherwise throw
/// <see cref="SinkBatchException"/> with a per-alert <see cref="DeliveryStatus"/> (the dispatcher retries
/// <see cref="DeliveryStatus.Failed"/> ones and counts <see cref="DeliveryStatus.Rejected"/> ones as failed), or any other
/// exception, meaning nothing in the batch is known to be delivered.</para>
/// </summary>
public interface IAlertSink : IAsyncDisposable
{
    string Name { get; }

    ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct);
}
