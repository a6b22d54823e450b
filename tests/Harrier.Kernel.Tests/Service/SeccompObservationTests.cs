using System.Diagnostics;
using Harrier.Kernel.Tests.Observation;

namespace Harrier.Kernel.Tests.Service;

/// <summary>
/// A seccomp profile's own errno action, taken in the kernel for a `harrier exec` workload, reaches the running
/// engine as a seccomp decision and fires the default rule (root, built program).
/// </summary>
public sealed class SeccompObservationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harrier-seccomp-obs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [KernelFact]
    public void ProfileDeniesMkdir_RunningEngineAlertsWithTheProfile()
    {
        string root = TestPaths.RepoRoot()!;
        string extra = Path.Combine(_dir, "capture-mkdir.yaml");
        // The probes only emit what some rule needs: this rule makes mkdir interesting.
        File.WriteAllText(extra, $"""
            - rule: Test mkdir below the test directory
              desc: test
              condition: evt.type in (mkdir, mkdirat) and fd.name startswith {_dir}/
              output: "mkdir %fd.name res=%evt.res"
              priority: DEBUG
            """);
        int port = 21765 + (Environment.ProcessId % 1000);
        using var h = new HarrierProcess(_dir, port, ["run", "-r", Path.Combine(root, "rules", "default"), "-r", extra, "-o", "Rules:WatchFiles=false"]);
        Assert.True(h.WaitMessage(m => m == "READY=1", TimeSpan.FromSeconds(60)) >= 0, h.Output);

        string target = Path.Combine(_dir, "blocked");
        var psi = new ProcessStartInfo(HarrierProcess.Program!) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "exec", "--profile", Path.Combine(root, "seccomp", "profiles", "deny-mkdir.yaml"), "--", "/bin/mkdir", target })
        {
            psi.ArgumentList.Add(a);
        }

        using (var exec = Process.Start(psi)!)
        {
            string err = exec.StandardError.ReadToEnd();
            exec.WaitForExit();
            Assert.NotEqual(0, exec.ExitCode);
            Assert.Contains("Operation not permitted", err);
        }

        Assert.False(Directory.Exists(target));
        var sw = Stopwatch.StartNew();
        while (!h.Output.Contains("Seccomp profile denied a call", StringComparison.Ordinal) && sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(50); // waiting for another process's output, not a correctness sleep
        }

        Assert.True(h.Output.Contains("Seccomp profile denied a call", StringComparison.Ordinal), h.Output);
        Assert.Contains("deny-mkdir.yaml", h.Output);
    }
}
