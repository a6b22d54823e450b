namespace Harrier.Outputs;

/// <summary>
/// Lets a sink report that its destination went down or came back, independently of batch outcomes (e.g. Kafka's
/// "all brokers down"). The dispatcher turns transitions into internal alerts. Thread-safe; repeated reports are ignored.
/// </summary>
public interface ISinkHealth
{
    void ReportDown(string reason);

    void ReportUp();
}
