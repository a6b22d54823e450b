using Harrier.Host.Service;
using Serilog;
using Serilog.Events;
using Serilog.Parsing;

namespace Harrier.Host.Tests.Metrics;

public sealed class SyslogPrefixEnricherTests
{
    private static string Prefix(bool journald, LogEventLevel level)
    {
        var e = new LogEvent(DateTimeOffset.UnixEpoch, level, null, new MessageTemplateParser().Parse("x"), []);
        new SyslogPrefixEnricher(journald).Enrich(e, null!);
        return ((ScalarValue)e.Properties["SyslogPrefix"]).Value as string ?? string.Empty;
    }

    [Theory]
    [InlineData(LogEventLevel.Fatal, "<2>")]
    [InlineData(LogEventLevel.Error, "<3>")]
    [InlineData(LogEventLevel.Warning, "<4>")]
    [InlineData(LogEventLevel.Information, "<6>")]
    [InlineData(LogEventLevel.Debug, "<7>")]
    public void Enrich_UnderJournald_SyslogPriorityPrefix(LogEventLevel level, string expected) =>
        Assert.Equal(expected, Prefix(journald: true, level));

    [Fact]
    public void Enrich_OnATerminal_NoPrefix() => Assert.Equal(string.Empty, Prefix(journald: false, LogEventLevel.Error));
}
