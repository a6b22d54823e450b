using System.Text.Json;

namespace Harrier.Rules.Tests;

/// <summary>The bench command runs end to end on a small count (numbers come from the command, not from tests).</summary>
public class BenchTests
{
    [Fact]
    public void Bench_SmallRun_PrintsJsonKeys()
    {
        var o = new StringWriter();
        Assert.Equal(0, RulesBench.Run(new[] { "--json", "--events", "5000", "--rules", TestPaths.DefaultRules }, o));
        using var doc = JsonDocument.Parse(o.ToString());
        foreach (var r in doc.RootElement.EnumerateArray())
        {
            Assert.True(r.GetProperty("events_per_sec").GetDouble() > 0);
            Assert.True(r.TryGetProperty("alloc_bytes_per_event", out _));
            Assert.True(r.GetProperty("compile_ms").GetDouble() > 0);
        }

        Assert.Equal("generated_1000", doc.RootElement[doc.RootElement.GetArrayLength() - 1].GetProperty("rule_set").GetString());
    }

    [Fact]
    public void Bench_BadArgs_Usage()
        => Assert.Equal(2, RulesBench.Run(new[] { "--events", "zero" }, new StringWriter()));

    [Fact]
    public void GeneratedRules_AllCompile()
    {
        var r = RuleLoader.LoadText(RulesBench.GeneratedRules(30), options: new RuleLoadOptions { WarnUnused = false });
        Assert.True(r.Success, r.Format());
        Assert.Equal(30, r.RuleSet!.Rules.Count);
    }
}
