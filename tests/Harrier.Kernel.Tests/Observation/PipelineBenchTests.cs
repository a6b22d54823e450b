using System.Text.Json;
using Harrier.Engine.Bench;

namespace Harrier.Kernel.Tests.Observation;

/// <summary>
/// Smoke test of the pipeline benchmark command (its numbers are read from the command, not asserted here).
/// Runs alone, after every parallel collection: its open storm would flood the probes other tests have loaded.
/// </summary>
[Collection(BenchCollection.Name)]
public sealed class PipelineBenchTests
{
    [KernelFact]
    public void Run_OneSecondJson_PrintsTheThreeKeys()
    {
        if (PipelineBench.FindStorm() is null)
        {
            Environment.SetEnvironmentVariable("HARRIER_STORM", TestPaths.Tool("storm"));
        }

        var output = new StringWriter();
        int rc = PipelineBench.Run(["--seconds", "1", "--json"], output);

        Assert.Equal(0, rc);
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.True(doc.RootElement.GetProperty("events_per_sec").GetDouble() > 0);
        Assert.True(doc.RootElement.TryGetProperty("lost", out _));
        Assert.True(doc.RootElement.GetProperty("workload_ratio").GetDouble() > 0);
    }

    [Fact]
    public void Run_BadArguments_Usage()
    {
        var output = new StringWriter();
        Assert.Equal(2, PipelineBench.Run(["--seconds", "zero"], output));
        Assert.Contains("usage", output.ToString());
    }
}
