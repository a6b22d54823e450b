using Harrier.Engine.Enrichment;

namespace Harrier.Engine.Tests.Enrichment;

public sealed class EnrichmentOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid()
    {
        Assert.Empty(new EnrichmentOptions().Validate());
    }

    [Fact]
    public void Validate_EveryBadKey_IsReportedAtOnce()
    {
        var options = new EnrichmentOptions { MaxProcesses = 0, ProcRoot = "relative/proc", EtcRoot = "/nonexistent-harrier-etc" };

        var errors = options.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Enrichment:MaxProcesses", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Enrichment:ProcRoot", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Enrichment:EtcRoot", StringComparison.Ordinal));
    }
}
