using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Harrier.Engine.Enforcement;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>
/// The cgroup network programs pinned under bpffs (root, cgroup v2): the deny stays in force while no enforcer runs,
/// the next one takes the pins over and ends with exactly its own entries, Unpin removes everything. Each test uses
/// its own pin directory and cgroup, removed at the end.
/// </summary>
public sealed class CgroupPinningTests : IDisposable
{
    private readonly string _pinParent = $"/sys/fs/bpf/harrier-test-{Guid.NewGuid():N}"[..40];
    private readonly string _cgroup;
    private readonly List<DecisionEvent> _decisions = [];

    public CgroupPinningTests()
    {
        var root = CgroupPaths.FindCgroup2Mount();
        _cgroup = Path.Combine(root ?? Path.GetTempPath(), "harrier-pin-" + Guid.NewGuid().ToString("N")[..12]);
        if (root is not null && Environment.UserName == "root")
        {
            Directory.CreateDirectory(_cgroup);
        }
    }

    private string PinRoot => _pinParent + "/cgroup";

    private CgroupEnforcerOptions Options => new() { PinRoot = PinRoot };

    public void Dispose()
    {
        CgroupEnforcer.Unpin(PinRoot);
        if (Directory.Exists(_pinParent))
        {
            Directory.Delete(_pinParent, recursive: true);
        }

        if (Directory.Exists(_cgroup))
        {
            Directory.Delete(_cgroup); // rmdir: every test process has exited and been reaped
        }
    }

    private void OnDecision(DecisionEvent e)
    {
        lock (_decisions)
        {
            _decisions.Add(e);
        }
    }

    /// <summary>Runs bash inside the test cgroup (it moves itself in before exec) and returns its output.</summary>
    private string RunInCgroup(string script)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("echo $$ > \"$0\"/cgroup.procs && exec \"$@\"");
        psi.ArgumentList.Add(_cgroup);
        psi.ArgumentList.Add("bash");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "workload timed out");
        return stdout.Result + stderr.Result;
    }

    private string Connect(IPAddress ip, int port) =>
        RunInCgroup($"if exec 3<>/dev/tcp/{ip}/{port}; then echo connect-ok; else echo connect-failed; fi");

    private static CgroupDenyRule Deny(string ip, int port, uint ruleId) =>
        new() { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse(ip + "/32"), Port = (ushort)port, RuleId = ruleId };

    private int LinkPins() => Directory.GetFiles(PinRoot, "link_*").Length;

    [CgroupBpfFact]
    public void Restart_DenyStaysInForceWhileNoProcessRuns()
    {
        using var keptListener = new TcpListener(IPAddress.Parse("127.0.0.7"), 0);
        using var droppedListener = new TcpListener(IPAddress.Parse("127.0.0.8"), 0);
        keptListener.Start();
        droppedListener.Start();
        int keptPort = ((IPEndPoint)keptListener.LocalEndpoint).Port;
        int droppedPort = ((IPEndPoint)droppedListener.LocalEndpoint).Port;
        var kept = Deny("127.0.0.7", keptPort, 31);
        var dropped = Deny("127.0.0.8", droppedPort, 32);

        using (var first = CgroupEnforcer.Load(OnDecision, options: Options))
        {
            Assert.Equal(PinRoot, first.PinRoot);
            Assert.Equal(0, first.ReusedMaps);
            Assert.Equal(0, first.AdoptedLinks);
            first.Attach(_cgroup);
            first.AddDeny(kept);
            first.AddDeny(dropped);
        }

        // no enforcer process: the pinned links and maps keep denying
        Assert.Equal(6, LinkPins());
        foreach (var map in new[] { "cg_deny4", "cg_deny6", "cg_decisions", "cg_stats" })
        {
            Assert.True(File.Exists(Path.Combine(PinRoot, map)), map);
        }

        var output = Connect(IPAddress.Parse("127.0.0.7"), keptPort);
        Assert.Contains("connect-failed", output, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", output, StringComparison.Ordinal);
        Assert.Contains("connect-failed", Connect(IPAddress.Parse("127.0.0.8"), droppedPort), StringComparison.Ordinal);
        Assert.False(keptListener.Pending());

        using (var second = CgroupEnforcer.Load(OnDecision, options: Options))
        {
            Assert.Equal(4, second.ReusedMaps);
            Assert.Equal(6, second.AdoptedLinks);
            Assert.Contains("connect-failed", Connect(IPAddress.Parse("127.0.0.7"), keptPort), StringComparison.Ordinal);
            second.Attach(_cgroup);
            Assert.Equal(6, LinkPins());

            // the decisions made while no enforcer ran wait in the pinned ring buffer
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(5) && _decisions.Count < 3)
            {
                second.PollDecisions(50);
            }

            lock (_decisions)
            {
                Assert.Equal(3, _decisions.Count);
                Assert.All(_decisions, d => Assert.Equal("denied", d.Action));
            }

            // the coordinator's reconcile: write the new set, then remove everything else
            second.AddDeny(kept with { RuleId = 41 });
            Assert.Equal(1, second.RemoveExcept([kept]));
            Assert.Equal(0, second.RemoveExcept([kept]));
            Assert.Contains("connect-failed", Connect(IPAddress.Parse("127.0.0.7"), keptPort), StringComparison.Ordinal);
            Assert.Contains("connect-ok", Connect(IPAddress.Parse("127.0.0.8"), droppedPort), StringComparison.Ordinal);
            Assert.False(second.RemoveDeny(dropped));
        }

        // the second run's set is what stays in force after it
        Assert.Contains("connect-failed", Connect(IPAddress.Parse("127.0.0.7"), keptPort), StringComparison.Ordinal);
        Assert.Contains("connect-ok", Connect(IPAddress.Parse("127.0.0.8"), droppedPort), StringComparison.Ordinal);

        Assert.Empty(CgroupEnforcer.Unpin(PinRoot));
        Assert.False(Directory.Exists(PinRoot));
        Assert.Contains("connect-ok", Connect(IPAddress.Parse("127.0.0.7"), keptPort), StringComparison.Ordinal);
    }

    [CgroupBpfFact]
    public void Unpin_PinnedEnforcer_RemovesPinsAndDirectoryAndDetaches()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.9"), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using (var enforcer = CgroupEnforcer.Load(OnDecision, options: Options))
        {
            enforcer.Attach(_cgroup);
            enforcer.AddDeny(Deny("127.0.0.9", port, 51));
        }

        Assert.Contains("connect-failed", Connect(IPAddress.Parse("127.0.0.9"), port), StringComparison.Ordinal);

        Assert.Empty(CgroupEnforcer.Unpin(PinRoot));
        Assert.False(Directory.Exists(PinRoot));
        Assert.Contains("connect-ok", Connect(IPAddress.Parse("127.0.0.9"), port), StringComparison.Ordinal);
        Assert.Empty(CgroupEnforcer.Unpin(PinRoot)); // nothing pinned: nothing to do
    }

    [CgroupBpfFact]
    public void UnpinEnforcement_ConfiguredPinRoots_UninstallLiftsTheDenyAndRemovesBothDirectories()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.11"), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string lsmRoot = _pinParent + "/lsm";
        using (var enforcer = CgroupEnforcer.Load(OnDecision, options: Options))
        {
            enforcer.Attach(_cgroup);
            enforcer.AddDeny(Deny("127.0.0.11", port, 71));
        }

        using (LsmEnforcer.Start(new LsmEnforcerOptions { PinRoot = lsmRoot, MapsOnly = true }))
        {
        }

        Assert.Contains("connect-failed", Connect(IPAddress.Parse("127.0.0.11"), port), StringComparison.Ordinal);
        string config = Path.Combine(Path.GetTempPath(), $"harrier-uninstall-{Guid.NewGuid():N}.json");
        File.WriteAllText(config, $$"""{ "Enforcement": { "Lsm": { "PinRoot": "{{lsmRoot}}", "CgroupPinRoot": "{{PinRoot}}" } } }""");
        try
        {
            var o = new StringWriter();
            Assert.True(Harrier.Host.Install.InstallCommand.UnpinEnforcement(config, o), o.ToString());
            Assert.Contains($"BPF LSM: unpinned {lsmRoot}", o.ToString(), StringComparison.Ordinal);
            Assert.Contains($"cgroup: unpinned {PinRoot}", o.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }

        Assert.False(Directory.Exists(lsmRoot));
        Assert.False(Directory.Exists(PinRoot));
        Assert.Contains("connect-ok", Connect(IPAddress.Parse("127.0.0.11"), port), StringComparison.Ordinal);
    }

    [CgroupBpfFact]
    public void Detach_PinnedEnforcer_RemovesThatCgroupsLinkPins()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.10"), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var enforcer = CgroupEnforcer.Load(OnDecision, options: Options);
        enforcer.Attach(_cgroup);
        enforcer.AddDeny(Deny("127.0.0.10", port, 61));
        Assert.Equal(6, LinkPins());
        Assert.Contains("connect-failed", Connect(IPAddress.Parse("127.0.0.10"), port), StringComparison.Ordinal);

        Assert.True(enforcer.Detach(_cgroup));
        Assert.Equal(0, LinkPins());
        Assert.Contains("connect-ok", Connect(IPAddress.Parse("127.0.0.10"), port), StringComparison.Ordinal);
    }

    [CgroupBpfFact]
    public void Load_PinnedLinkOfUnknownProgram_IsRemoved()
    {
        using (var first = CgroupEnforcer.Load(OnDecision, options: Options))
        {
            first.Attach(_cgroup);
        }

        // a pin left by another object version whose program this one does not have
        var pin = Directory.GetFiles(PinRoot, "link_*").First();
        string renamed = Path.Combine(PinRoot, $"link_{CgroupPaths.CgroupId(_cgroup)}_harrier_cg_gone");
        File.Move(pin, renamed);

        using var second = CgroupEnforcer.Load(OnDecision, options: Options);
        Assert.Equal(5, second.AdoptedLinks);
        Assert.False(File.Exists(renamed));
        second.Attach(_cgroup);
        Assert.Equal(6, LinkPins());
    }

    [Fact]
    public void Load_InvalidPinRoot_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => CgroupEnforcer.Load(_ => { }, options: new CgroupEnforcerOptions { PinRoot = "relative/dir" }));
        Assert.Contains("CgroupPinRoot", ex.Message, StringComparison.Ordinal);
    }
}
