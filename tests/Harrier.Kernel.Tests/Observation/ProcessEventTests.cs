using Harrier.Events;

namespace Harrier.Kernel.Tests.Observation;

[Collection(ProbeCollection.Name)]
public sealed class ProcessEventTests
{
    private readonly ProbeFixture _fx;

    public ProcessEventTests(ProbeFixture fx) => _fx = fx;

    [KernelFact]
    public void Execve_Success_FilenameExePathArgvPpid()
    {
        int pid = _fx.Run("/bin/sh", "-c", "exit 0", "argzero");
        var e = _fx.WaitFor<ProcessEvent>(pid, e => e.Type == EventType.Execve && e.Res == 0);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal("/bin/sh", e.Filename);
        Assert.Equal(RealPath("/bin/sh"), e.ExePath);
        Assert.Equal(new[] { "/bin/sh", "-c", "exit 0", "argzero" }, e.Argv);
        Assert.False(e.ArgvTruncated);
        Assert.Equal(Environment.ProcessId, e.Ppid);
        Assert.NotEqual(0UL, e.ProcStartNs);
    }

    [KernelFact]
    public void Execve_MissingProgram_EnoentWithArgv()
    {
        int pid = _fx.RunTrigger("exec", "./does-not-exist", "one", "two");
        var e = _fx.WaitFor<ProcessEvent>(pid, e => e.Type == EventType.Execve && e.Res < 0);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(-2, e.Res);
        Assert.Equal("./does-not-exist", e.Filename);
        Assert.Equal(new[] { "./does-not-exist", "one", "two" }, e.Argv);
    }

    [KernelFact]
    public void Execveat_FromMemfd_ExePathIsTheMemfd()
    {
        int pid = _fx.RunTrigger("exec-memfd", "/bin/true");
        var e = _fx.WaitFor<ProcessEvent>(pid, e => e.Type is EventType.Execve or EventType.Execveat && e.Res == 0 && e.Argv.Count == 1 && e.Argv[0] == "payload");
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.True(e.ExePath?.StartsWith("/memfd:payload", StringComparison.Ordinal), $"{e.Type} {e.Filename} {e.ExePath}");
        Assert.Contains("fd/", e.Filename); // glibc's fexecve: execveat(fd, "") -> /dev/fd/N, or execve("/proc/self/fd/N")
    }

    [KernelFact]
    public void Execve_MoreArgsThanLimit_TruncatedAtMaxArgs()
    {
        var args = new List<string> { "-c", "exit 0" };
        args.AddRange(Enumerable.Range(0, 60).Select(i => "arg" + i));
        int pid = _fx.Run("/bin/sh", [.. args]);
        var e = _fx.WaitFor<ProcessEvent>(pid, e => e.Type == EventType.Execve && e.Res == 0 && e.Filename == "/bin/sh");
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal(32, e.Argv.Count); // ProbeOptions.MaxArgs default
        Assert.True(e.ArgvTruncated);
        Assert.Equal("arg0", e.Argv[3]);
    }

    [KernelFact]
    public void Fork_ParentSeesChildPid_AndChildExitCode()
    {
        int pid = _fx.RunTrigger("fork");
        var e = _fx.WaitFor<ProcessEvent>(pid, e => e.Type is EventType.Fork or EventType.Clone or EventType.Clone3 && e.Res > 0);
        Assert.True(e is not null, _fx.Describe(pid));
        Assert.Equal((int)e.Res, e.ChildPid);
        var exit = _fx.WaitFor<ProcessEvent>(e.ChildPid, x => x.Type == EventType.ProcExit);
        Assert.True(exit is not null, _fx.Describe(e.ChildPid));
        Assert.Equal(0, exit.ExitCode);
        Assert.Equal(pid, exit.Ppid);
    }

    [KernelFact]
    public void Exit_CodeAndSignal()
    {
        int p1 = _fx.RunTrigger("exit", "42");
        int p2 = _fx.RunTrigger("kill-self");
        var e1 = _fx.WaitFor<ProcessEvent>(p1, e => e.Type == EventType.ProcExit);
        Assert.True(e1 is not null, _fx.Describe(p1));
        Assert.Equal(42, e1.ExitCode);
        Assert.Equal(0, e1.ExitSignal);
        var e2 = _fx.WaitFor<ProcessEvent>(p2, e => e.Type == EventType.ProcExit);
        Assert.True(e2 is not null, _fx.Describe(p2));
        Assert.Equal(9, e2.ExitSignal);
    }

    internal static string RealPath(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("realpath", path) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string r = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return r;
    }
}
