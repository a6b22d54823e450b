using System.Text.Json;
using Harrier.Outputs.Kafka;

namespace Harrier.Outputs.Tests.Kafka;

/// <summary><c>harrier bench outputs --json</c> with tiny counts: the keys the issue names, with measured (non-zero) values. Not a timed test.</summary>
public sealed class OutputsBenchTests
{
    [Fact]
    public void Run_JsonSmallCounts_PrintsIssueKeysWithMeasuredValues()
    {
        var output = new StringWriter();
        int rc = OutputsBench.Run(["--json", "--count", "2000", "--spool-count", "2000"], output);
        Assert.True(rc == 0, output.ToString());

        using JsonDocument doc = JsonDocument.Parse(output.ToString());
        JsonElement r = doc.RootElement;
        Assert.True(r.GetProperty("kafka_alerts_per_sec").GetDouble() > 0);
        Assert.True(r.GetProperty("file_alerts_per_sec").GetDouble() > 0);
        Assert.True(r.GetProperty("spool_drain_seconds").GetDouble() > 0);
        Assert.Equal(2000, r.GetProperty("alerts").GetInt32());
        Assert.Equal(2000, r.GetProperty("spool_alerts").GetInt32());
    }
}
