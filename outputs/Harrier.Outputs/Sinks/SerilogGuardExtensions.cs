using Serilog;
using Serilog.Configuration;

namespace Harrier.Outputs.Sinks;

/// <summary>
/// The <c>HarrierGuard</c> sink-configuration method that <see cref="ConfiguredSerilogAlertSink"/> puts around each
/// configured <c>WriteTo</c> entry (found by Serilog.Settings.Configuration): the entry's sink reports its failures to
/// the alert sink (Serilog's <c>Fallible</c>) instead of to SelfLog.
/// </summary>
internal static class SerilogGuardExtensions
{
    public static LoggerConfiguration HarrierGuard(this LoggerSinkConfiguration writeTo, Action<LoggerSinkConfiguration> configure, string token)
    {
        ArgumentNullException.ThrowIfNull(writeTo);
        if (!ConfiguredSerilogAlertSink.Guards.TryGetValue(token, out Serilog.Core.ILoggingFailureListener? failures))
        {
            throw new InvalidOperationException("HarrierGuard is internal to Harrier's serilog alert sink");
        }

        return writeTo.Fallible(configure, failures);
    }
}
