using Serilog.Core;
using Serilog.Events;

namespace Harrier.Outputs.Sinks;

/// <summary>Collects Serilog sink failures so an alert sink can turn them into a failed batch instead of silent loss. Thread-safe.</summary>
internal sealed class FailureRecorder : ILoggingFailureListener
{
    private long _failures;
    private Exception? _last;

    public long Failures => Interlocked.Read(ref _failures);

    public Exception? Last => Volatile.Read(ref _last);

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        if (kind == LoggingFailureKind.Temporary && events is null)
        {
            return;
        }

        Volatile.Write(ref _last, exception ?? new IOException(message));
        Interlocked.Increment(ref _failures);
    }
}
