namespace Harrier.Outputs;

/// <summary>Thrown by <see cref="IAlertSink.EmitAsync"/> when part of a batch was not delivered; carries each alert's outcome.</summary>
public sealed class SinkBatchException : Exception
{
    public SinkBatchException(string message, IReadOnlyList<DeliveryStatus> statuses, Exception? inner = null)
        : base(message, inner)
    {
        Statuses = statuses;
    }

    /// <summary>One entry per alert of the batch, same order.</summary>
    public IReadOnlyList<DeliveryStatus> Statuses { get; }
}
