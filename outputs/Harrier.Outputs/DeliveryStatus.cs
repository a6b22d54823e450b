namespace Harrier.Outputs;

/// <summary>The outcome of one alert of a batch.</summary>
public enum DeliveryStatus : byte
{
    /// <summary>Not delivered, may succeed later: the dispatcher retries it (spooled sinks: until it succeeds).</summary>
    Failed = 0,

    /// <summary>Delivered and acknowledged.</summary>
    Delivered = 1,

    /// <summary>Refused for good (e.g. message too large): retrying cannot help. Counted as failed and logged with its uuid.</summary>
    Rejected = 2,
}
