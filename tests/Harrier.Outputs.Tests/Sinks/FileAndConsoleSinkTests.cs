using System.Text.Json;
using Harrier.Events;
using Harrier.Outputs.Formatting;
using Harrier.Outputs.Sinks;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Outputs.Tests.Sinks;

public sealed class FileAndConsoleSinkTests
{
    [Fact]
    public async Task FileSink_SizeLimit_RollsAndKeepsEveryAlertAsOneJsonLine()
    {
        using var dir = new TempDir();
        var options = new OutputsOptions
        {
            Sinks =
            [
                new SinkOptions
                {
                    Name = "file",
                    Type = "file",
                    Format = AlertFormat.Falco,
                    Settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
                    {
                        ["Path"] = Path.Combine(dir.Path, "alerts.jsonl"),
                        ["FileSizeLimitBytes"] = "20000",
                        ["RetainedFileCount"] = "100",
                        ["RollingInterval"] = "infinite",
                    },
                },
            ],
        };
        AlertDispatcher d = AlertDispatcher.Create(options, NullLoggerFactory.Instance);
        const int N = 300;
        for (int i = 0; i < N; i++)
        {
            Assert.True(d.Publish(TestAlerts.Make(i)));
        }

        await d.StopAsync(TimeSpan.FromSeconds(10));
        string[] files = Directory.GetFiles(dir.Path, "alerts*.jsonl").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 5, $"{files.Length} files");
        // Serilog rolls once a file has reached the limit, so a file ends at most one line past it.
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 20000 + 1024, f));
        var uuids = new List<string>();
        foreach (string f in files.OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal))
        {
            foreach (string line in File.ReadAllLines(f))
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                uuids.Add(doc.RootElement.GetProperty("uuid").GetString()!);
            }
        }

        Assert.Equal(Enumerable.Range(0, N).Select(i => TestAlerts.UuidFor(i).ToString("D")), uuids);
        Assert.Equal(N, d.Stats[0].Sent);
    }

    [Fact]
    public async Task ConsoleSink_TextFormat_FalcoLineSnapshot()
    {
        var writer = new StringWriter();
        var sink = new ConsoleAlertSink(new SinkOptions { Name = "console", Type = "console", Format = AlertFormat.Text }, writer, journald: false);
        await sink.EmitAsync([TestAlerts.Make(1), TestAlerts.Make(2, priority: Priority.Emergency) with { Output = "Kill by rule (proc=x)" }], CancellationToken.None);
        await sink.DisposeAsync();
        Assert.Equal(
            "08:00:00.123456790: Warning Sensitive file opened for reading by non-trusted program (file=/etc/shadow process=cat seq=1)\n"
            + "08:00:00.123456791: Emergency Kill by rule (proc=x)\n",
            writer.ToString());
    }

    [Fact]
    public async Task ConsoleSink_Journald_PrefixesSyslogPriority()
    {
        var writer = new StringWriter();
        var sink = new ConsoleAlertSink(new SinkOptions { Name = "console", Type = "console", Format = AlertFormat.Text }, writer, journald: true);
        await sink.EmitAsync([TestAlerts.Make(1, priority: Priority.Critical), TestAlerts.Make(2, priority: Priority.Informational)], CancellationToken.None);
        await sink.DisposeAsync();
        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("<2>08:00:00.123456790: Critical ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("<6>08:00:00.123456791: Informational ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleSink_JsonFormat_OneDocumentPerLine()
    {
        var writer = new StringWriter();
        var sink = new ConsoleAlertSink(new SinkOptions { Name = "console", Type = "console", Format = AlertFormat.Ecs }, writer, journald: false);
        await sink.EmitAsync([TestAlerts.Make(1), TestAlerts.Make(2)], CancellationToken.None);
        await sink.DisposeAsync();
        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(AlertFormatter.ToText(TestAlerts.Make(2), AlertFormat.Ecs), lines[1]);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Journald_ExplicitSetting_Wins(string setting, bool expected) => Assert.Equal(expected, ConsoleAlertSink.Journald(setting));
}
