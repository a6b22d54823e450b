using Harrier.Engine.Loading;

namespace Harrier.Kernel.Tests.Observation;

public sealed class FeatureProbeTests
{
    [KernelFact]
    public void Run_ThisKernel_TracingTypesLoadAndReportIsComplete()
    {
        var report = FeatureProbe.Run();
        Assert.True(report.Privileged);
        Assert.True(report.BtfPresent);
        Assert.True(report.LibbpfAvailable);
        Assert.True(report.Supports("tracepoint"), report.ToText());
        Assert.True(report.Supports("raw_tp"), report.ToText());
        Assert.True(report.Supports("tp_btf"), report.ToText());
        Assert.Equal(6, report.ProgramTypes.Count);
        Assert.All(report.ProgramTypes.Where(p => !p.Supported), p => Assert.NotEmpty(p.Detail));
        Assert.Contains("\"program_types\"", report.ToJson());
        Assert.Equal(report.BpfLsmActive && report.Supports("lsm"), report.EnforcementPaths.Contains("bpf-lsm"));
    }
}
