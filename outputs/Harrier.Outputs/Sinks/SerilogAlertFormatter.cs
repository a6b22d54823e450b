using System.Buffers;
using System.Text;
using Harrier.Events;
using Harrier.Outputs.Formatting;
using Serilog.Events;
using Serilog.Formatting;

namespace Harrier.Outputs.Sinks;

/// <summary>
/// Serilog <see cref="ITextFormatter"/> that renders the <see cref="Alert"/> carried in a log event's <c>Alert</c> property
/// as one line in the configured <see cref="AlertFormat"/>, optionally prefixed with the syslog priority <c>&lt;N&gt;</c>
/// that journald reads from a service's stderr. Events without an alert are rendered as their message. Thread-safe.
/// </summary>
internal sealed class SerilogAlertFormatter(AlertFormat format, bool flatKeys, bool syslogPrefix) : ITextFormatter
{
    public const string AlertProperty = "Alert";

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public void Format(LogEvent logEvent, TextWriter output)
    {
        if (!logEvent.Properties.TryGetValue(AlertProperty, out LogEventPropertyValue? v) || v is not ScalarValue { Value: Alert alert })
        {
            output.WriteLine(logEvent.RenderMessage());
            return;
        }

        if (syslogPrefix)
        {
            output.Write('<');
            output.Write((char)('0' + (int)alert.Priority));
            output.Write('>');
        }

        ArrayBufferWriter<byte> buf = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buf.ResetWrittenCount();
        AlertFormatter.Write(buf, alert, format, flatKeys);
        ReadOnlySpan<byte> bytes = buf.WrittenSpan;
        char[] chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(bytes.Length));
        int n = Encoding.UTF8.GetChars(bytes, chars);
        output.Write(chars, 0, n);
        output.Write('\n');
        ArrayPool<char>.Shared.Return(chars);
    }

    /// <summary>Wraps an alert in a Serilog event at the matching level.</summary>
    public static LogEvent ToLogEvent(Alert alert) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(AlertTime.ToUnixMilliseconds(alert.TimeNs)),
        Level(alert.Priority),
        null,
        MessageTemplate.Empty,
        [new LogEventProperty(AlertProperty, new ScalarValue(alert))]);

    /// <summary>The Serilog level an alert of <paramref name="priority"/> is written at.</summary>
    public static LogEventLevel Level(Priority priority) => priority switch
    {
        <= Priority.Critical => LogEventLevel.Fatal,
        Priority.Error => LogEventLevel.Error,
        Priority.Warning => LogEventLevel.Warning,
        Priority.Debug => LogEventLevel.Debug,
        _ => LogEventLevel.Information,
    };
}
