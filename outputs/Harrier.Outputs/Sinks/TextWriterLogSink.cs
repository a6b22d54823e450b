using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Harrier.Outputs.Sinks;

/// <summary>Serilog sink writing formatted events to a <see cref="TextWriter"/> (tests, redirected streams). Thread-safe.</summary>
internal sealed class TextWriterLogSink(ITextFormatter formatter, TextWriter writer) : ILogEventSink
{
    private readonly Lock _lock = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            formatter.Format(logEvent, writer);
            writer.Flush();
        }
    }
}
