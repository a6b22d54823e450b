using System.Diagnostics;
using Harrier.Host.Commands;

namespace Harrier.Host.Tests.Commands;

/// <summary><c>harrier reload --pid PID</c> and <c>harrier stop --pid PID</c>: signals only to a process running the same executable.</summary>
public sealed class SignalCommandsTests
{
    private static Process Sleeper()
    {
        var psi = new ProcessStartInfo("sleep", "30") { UseShellExecute = false };
        return Process.Start(psi)!;
    }

    private static string SleepExe(Process p) => new FileInfo($"/proc/{p.Id}/exe").LinkTarget!;

    [Fact]
    public void Run_SameExecutable_SendsSighup()
    {
        using var p = Sleeper();
        var o = new StringWriter();
        var err = new StringWriter();
        int rc = ReloadCommand.Run(["--pid", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], o, err, "/proc", SleepExe(p));
        Assert.True(rc == 0, err.ToString());
        Assert.True(p.WaitForExit(10_000), "sleep ignored SIGHUP");
        Assert.Equal(128 + 1, p.ExitCode); // terminated by SIGHUP
    }

    [Fact]
    public void Run_OtherExecutable_RefusesAndSendsNothing()
    {
        using var p = Sleeper();
        try
        {
            var err = new StringWriter();
            int rc = ReloadCommand.Run(["--pid", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TextWriter.Null, err, "/proc", "/usr/bin/true");
            Assert.Equal(1, rc);
            Assert.Contains("refusing to signal it", err.ToString(), StringComparison.Ordinal);
            Assert.False(p.WaitForExit(200));
        }
        finally
        {
            p.Kill();
        }
    }

    [Theory]
    [InlineData]
    [InlineData("--pid")]
    [InlineData("--pid", "1")]
    [InlineData("--pid", "-5")]
    [InlineData("--pid", "abc")]
    [InlineData("--pid", "42", "extra")]
    public void Run_BadArguments_Usage(params string[] args)
    {
        var err = new StringWriter();
        Assert.Equal(2, ReloadCommand.Run(args, TextWriter.Null, err, "/proc", "/usr/bin/true"));
        Assert.Contains("usage: harrier reload --pid PID", err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NoSuchProcess_Fails()
    {
        var err = new StringWriter();
        Assert.Equal(1, ReloadCommand.Run(["--pid", "4194304"], TextWriter.Null, err, "/proc", "/usr/bin/true"));
        Assert.Contains("no process 4194304", err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Stop_PidOfSameExecutable_SendsSigtermAndWaitsForTheExit()
    {
        using var p = Sleeper();
        var o = new StringWriter();
        var err = new StringWriter();
        int rc = StopCommand.Run(["--pid", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], o, err, "/proc", SleepExe(p));
        Assert.True(rc == 0, err.ToString());
        Assert.Contains($"{p.Id} stopped", o.ToString(), StringComparison.Ordinal);
        Assert.True(p.HasExited || p.WaitForExit(1000));
        Assert.Equal(128 + 15, p.ExitCode);
    }

    [Fact]
    public void Stop_PidOfOtherExecutable_Refused()
    {
        using var p = Sleeper();
        try
        {
            var err = new StringWriter();
            Assert.Equal(1, StopCommand.Run(["--pid", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TextWriter.Null, err, "/proc", "/usr/bin/true"));
            Assert.Contains("refusing to signal it", err.ToString(), StringComparison.Ordinal);
            Assert.False(p.HasExited);
        }
        finally
        {
            p.Kill();
        }
    }
}
