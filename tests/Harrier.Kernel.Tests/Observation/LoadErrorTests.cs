using Harrier.Engine.Loading;
using Harrier.Interop.Bpf;

namespace Harrier.Kernel.Tests.Observation;

/// <summary>How load failures read: one line with the fix, then the verifier's last lines. No kernel needed.</summary>
public sealed class LoadErrorTests
{
    [Fact]
    public void LoadFailure_VerifierRejection_LastTwentyLogLinesInMessage()
    {
        var log = Enumerable.Range(1, 50).Select(i => $"verifier line {i}").ToArray();
        var ex = ProbeLoader.LoadFailure(new BpfException("bpf_object__load", 13, log));
        string[] lines = ex.Message.Split(Environment.NewLine);
        Assert.Contains("verifier rejected", lines[0]);
        Assert.Equal(21, lines.Length);
        Assert.Equal("  verifier line 31", lines[1]);
        Assert.Equal("  verifier line 50", lines[^1]);
        var inner = Assert.IsType<BpfException>(ex.InnerException);
        Assert.Equal(50, inner.Log.Count); // the full log stays available
    }

    [Fact]
    public void LoadFailure_Eperm_SaysHowToFix()
    {
        var ex = ProbeLoader.LoadFailure(new BpfException("bpf_object__load", 1));
        Assert.Contains("CAP_BPF", ex.Message);
        Assert.DoesNotContain(Environment.NewLine, ex.Message);
    }

    [Fact]
    public void LibbpfLog_MultiLineMessage_CapturedLineByLine()
    {
        LibbpfLog.ClearCapture();
        LibbpfLog.Write(LibbpfLogLevel.Warn, "first\nsecond\n");
        Assert.Equal(new[] { "first", "second" }, LibbpfLog.Captured().TakeLast(2));
    }

    [Fact]
    public void Validate_InvalidOptions_LoadRefusesWithEveryError()
    {
        var loader = new ProbeLoader(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var ex = Assert.Throws<ProbeStartupException>(() => loader.Load(new ProbeOptions { PollTimeoutMs = 0, MaxArgs = 0 }));
        Assert.Contains("PollTimeoutMs", ex.Message);
        Assert.Contains("MaxArgs", ex.Message);
    }
}
