using Serilog.Core;
using Serilog.Events;

namespace Harrier.Host.Service;

/// <summary>
/// Adds <c>SyslogPrefix</c> to every log event: <c>&lt;N&gt;</c> (the syslog priority of the level, as sd-daemon(3)
/// prefixes) when stderr goes to journald (<c>JOURNAL_STREAM</c> set), empty otherwise, so the console template
/// <c>{SyslogPrefix}...</c> gives journald real priorities without changing what a terminal shows.
/// </summary>
internal sealed class SyslogPrefixEnricher : ILogEventEnricher
{
    private readonly bool _journald;
    private readonly LogEventProperty?[] _cache = new LogEventProperty?[6];

    public SyslogPrefixEnricher(bool? journald = null)
    {
        _journald = journald ?? !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));
    }

    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,
        LogEventLevel.Error => 3,
        LogEventLevel.Warning => 4,
        LogEventLevel.Information => 6,
        _ => 7,
    };

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        int i = (int)logEvent.Level;
        var p = _cache[i] ??= new LogEventProperty("SyslogPrefix", new ScalarValue(_journald ? $"<{Priority(logEvent.Level)}>" : string.Empty));
        logEvent.AddPropertyIfAbsent(p);
    }
}
