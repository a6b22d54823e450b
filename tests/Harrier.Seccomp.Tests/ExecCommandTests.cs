using Harrier.Seccomp.Cli;

namespace Harrier.Seccomp.Tests;

/// <summary>Argument handling of `harrier exec` (no process is started: every case fails before the launcher).</summary>
public class ExecCommandTests
{
    [Theory]
    [InlineData(new[] { "--", "true" }, "--profile FILE is required")]
    [InlineData(new[] { "--profile" }, "--profile needs a file")]
    [InlineData(new[] { "--profile", "x.yaml" }, "no command given")]
    [InlineData(new[] { "--frob", "--profile", "x.yaml", "--", "true" }, "unknown option '--frob'")]
    [InlineData(new[] { "--profile", "/nonexistent/p.yaml", "--", "true" }, "/nonexistent/p.yaml: profile not found")]
    public void Run_BadArguments_Returns125WithMessage(string[] args, string message)
    {
        var err = new StringWriter();
        Assert.Equal(ExecCommand.HarrierFailure, ExecCommand.Run(args, new StringWriter(), err));
        Assert.Contains(message, err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Help_PrintsUsage()
    {
        var o = new StringWriter();
        Assert.Equal(0, ExecCommand.Run(["--help"], o, new StringWriter()));
        Assert.Contains("usage: harrier exec --profile FILE", o.ToString(), StringComparison.Ordinal);
    }
}
