using System.Net;
using Harrier.Kernel.Tests.Observation;

namespace Harrier.Kernel.Tests.Service;

/// <summary>
/// The service contract with systemd and operators, on the built program and the running kernel (root):
/// readiness only after probes attach and rules load, watchdog pings while healthy, reload notifications,
/// a failed reload keeping the old rules, and a clean stop.
/// </summary>
public sealed class ServiceLifecycleTests : IDisposable
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("harrier-svc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [KernelFact]
    public async Task Run_UnderNotifySocket_ReadyAfterAttachWatchdogReloadAndStopping()
    {
        Assert.NotNull(HarrierProcess.Program);
        string rules = Path.Combine(_dir, "rules.yaml");
        File.WriteAllText(rules, Rule("Test rule A"));
        int port = 18765 + (Environment.ProcessId % 1000);
        using var h = new HarrierProcess(_dir, port, ["run", "-r", rules, "-o", "Rules:WatchFiles=false"],
            new Dictionary<string, string> { ["WATCHDOG_USEC"] = "2000000" });

        int ready = h.WaitMessage(m => m == "READY=1", Start);
        Assert.True(ready >= 0, "no READY=1; output:\n" + h.Output);
        // READY means attached and loaded: the health endpoint already answers and the probes are in.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Contains("harrier_rules_loaded 1", metrics);
        Assert.Contains("probes loaded", h.Output);

        Assert.True(h.WaitMessage(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(10), ready) > ready, "no WATCHDOG=1\n" + string.Join('\n', h.Messages));

        File.WriteAllText(rules, Rule("Test rule A") + Rule("Test rule B"));
        int mark = h.Messages.Count;
        h.Signal(1); // SIGHUP
        int reloading = h.WaitMessage(m => m == "RELOADING=1", TimeSpan.FromSeconds(20), mark);
        Assert.True(reloading >= 0, "no RELOADING=1\n" + string.Join('\n', h.Messages));
        Assert.True(h.WaitMessage(m => m.StartsWith("MONOTONIC_USEC=", StringComparison.Ordinal), TimeSpan.FromSeconds(5), reloading) > reloading);
        Assert.True(h.WaitMessage(m => m == "READY=1", TimeSpan.FromSeconds(20), reloading) > reloading);
        metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Contains("harrier_rules_loaded 2", metrics);
        Assert.Contains("harrier_rules_reloads_total 1", metrics);

        File.WriteAllText(rules, "- rule: broken\n  condition: (\n");
        mark = h.Messages.Count;
        h.Signal(1);
        Assert.True(h.WaitMessage(m => m == "READY=1", TimeSpan.FromSeconds(20), mark) >= 0);
        metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Contains("harrier_rules_loaded 2", metrics); // the old set stays
        Assert.Contains("harrier_rules_reload_failures_total 1", metrics);

        var health = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        mark = h.Messages.Count;
        h.Signal(15); // SIGTERM
        Assert.True(h.WaitMessage(m => m == "STOPPING=1", TimeSpan.FromSeconds(30), mark) >= 0, "no STOPPING=1\n" + h.Output);
        Assert.True(h.Process.WaitForExit(TimeSpan.FromSeconds(30)), "did not exit after SIGTERM");
        h.Process.WaitForExit(); // drains the redirected output
        Assert.Equal(0, h.Process.ExitCode);
        Assert.True(h.Output.Contains("Harrier stopped", StringComparison.Ordinal), h.Output);
    }

    [KernelFact]
    public async Task Sighup_InvalidConfigFile_OldConfigStaysAndInternalAlertRaised()
    {
        Assert.NotNull(HarrierProcess.Program);
        string config = Path.Combine(_dir, "appsettings.json");
        File.Copy(Path.Combine(Path.GetDirectoryName(HarrierProcess.Program)!, "appsettings.json"), config);
        string rules = Path.Combine(_dir, "rules.yaml");
        File.WriteAllText(rules, Rule("Config test rule"));
        int port = 17765 + (Environment.ProcessId % 1000);
        using var h = new HarrierProcess(_dir, port, ["run", "--config", config, "-r", rules, "-o", "Rules:WatchFiles=false"]);
        Assert.True(h.WaitMessage(m => m == "READY=1", Start) >= 0, h.Output);

        File.WriteAllText(config, "{ \"Probes\": { \"RingBufferBytes\": 12345 } }");
        int mark = h.Messages.Count;
        h.Signal(1);
        Assert.True(h.WaitMessage(m => m == "READY=1", TimeSpan.FromSeconds(20), mark) > mark, h.Output);
        Assert.False(h.Process.HasExited);
        using var http = new HttpClient();
        string metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Contains("harrier_rules_reload_failures_total 1", metrics);
        Assert.Contains("harrier_rules_loaded 1", metrics);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!h.Output.Contains("Configuration reload failed", StringComparison.Ordinal) && sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50); // waiting for another process's output, not a correctness sleep
        }

        Assert.Contains("Probes:RingBufferBytes must be a power of two", h.Output);
        h.Signal(15);
        Assert.True(h.Process.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    [KernelFact]
    public void Run_ProbesCannotLoad_NoReadyAndExit1()
    {
        Assert.NotNull(HarrierProcess.Program);
        string rules = Path.Combine(_dir, "rules.yaml");
        File.WriteAllText(rules, Rule("Never ready"));
        int port = 16765 + (Environment.ProcessId % 1000);
        // Root without any capability: the probes cannot load (the notify socket stays writable for root).
        using var h = new HarrierProcess(_dir, port, ["run", "-r", rules, "-o", "Rules:WatchFiles=false"],
            launcher: ["/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all"]);

        Assert.True(h.Process.WaitForExit(TimeSpan.FromSeconds(60)), "did not exit\n" + h.Output);
        h.Process.WaitForExit();
        Assert.Equal(1, h.Process.ExitCode);
        Assert.Contains("harrier: harrier needs root or CAP_BPF+CAP_PERFMON", h.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", h.Output, StringComparison.Ordinal); // one line, no stack trace
        // STOPPING=1 follows the failure; datagrams arrive in order, so once it is read any READY=1 would be too.
        Assert.True(SpinWait.SpinUntil(() => h.Messages.Contains("STOPPING=1"), TimeSpan.FromSeconds(10)), string.Join('\n', h.Messages));
        Assert.DoesNotContain("READY=1", h.Messages);
    }

    private static string Rule(string name) => $"""
        - rule: {name}
          desc: test
          condition: evt.type = openat and fd.name = /nonexistent/{name.Replace(' ', '-')}
          output: "{name} %fd.name"
          priority: NOTICE

        """;
}
