using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Harrier.Engine.Enforcement;
using Harrier.Engine.Verdicts;
using Harrier.Events;
using Harrier.Rules;
using Harrier.Rules.Enforcement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>
/// The enforcement coordinator on the running kernel (root, cgroup v2): a deny rule on a destination address and port
/// is planned, put into the strongest mechanism that loads (here BPF LSM is refused, so the cgroup programs at the root
/// of the cgroup v2 hierarchy), refuses a child's connect with EPERM and reports a decision named after the rule.
/// </summary>
public sealed class CoordinatorTests : IDisposable
{
    private readonly string _pinRoot = $"/sys/fs/bpf/harrier-test-{Guid.NewGuid():N}"[..40] + "/lsm";
    private readonly List<DecisionEvent> _decisions = [];
    private readonly SemaphoreSlim _arrived = new(0);

    /// <summary>Where the coordinator pins the cgroup programs: beside <see cref="_pinRoot"/>.</summary>
    private string CgroupPinRoot => Path.GetDirectoryName(_pinRoot) + "/cgroup";

    public void Dispose()
    {
        var parent = Path.GetDirectoryName(_pinRoot)!;
        if (Directory.Exists(parent))
        {
            LsmEnforcer.Unpin(_pinRoot);
            CgroupEnforcer.Unpin(CgroupPinRoot);
            if (Directory.Exists(parent))
            {
                Directory.Delete(parent, recursive: true);
            }
        }

        _arrived.Dispose();
    }

    private static CompiledRuleSet Rules(string yaml)
    {
        var load = RuleLoader.LoadText(yaml, "coordinator.yaml", new RuleLoadOptions { BuildEngine = false, WarnUnused = false });
        Assert.True(load.Success, load.Format());
        return load.RuleSet!;
    }

    private static string DenyConnect(int port, string action = "deny") => $"""
        - rule: No c2 {port}
          desc: d
          condition: evt.type = connect and fd.sip = 127.0.0.1 and fd.sport = {port}
          output: "c2 connect (%fd.name)"
          priority: CRITICAL
          action: {action}
        - rule: No shadow for sshd
          desc: d
          condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow and proc.pname = sshd
          output: o
          priority: WARNING
          action: deny
        """;

    private EnforcementCoordinator Start(CompiledRuleSet rules, string mode) =>
        EnforcementCoordinator.Start(rules, new EnforcementOptions { Mode = mode }, e =>
        {
            lock (_decisions)
            {
                _decisions.Add(e);
            }

            _arrived.Release();
        }, NullLogger.Instance, new LsmEnforcerOptions { PinRoot = _pinRoot });

    private EnforcementCoordinator Start(CompiledRuleSet rules, string mode, Func<string, string?> containerCgroup) =>
        EnforcementCoordinator.Start(rules, new EnforcementOptions { Mode = mode }, e =>
        {
            lock (_decisions)
            {
                _decisions.Add(e);
            }

            _arrived.Release();
        }, NullLogger.Instance, new LsmEnforcerOptions { PinRoot = _pinRoot }, containerCgroup: containerCgroup);

    /// <summary>Connects to 127.0.0.1:port from a bash child (moved into <paramref name="cgroup"/> first when given).</summary>
    private static string ConnectFromChild(int port, string? cgroup = null)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add((cgroup is null ? string.Empty : $"echo $$ > '{cgroup}/cgroup.procs' && ")
            + $"if exec 3<>/dev/tcp/127.0.0.1/{port}; then echo connect-ok; else echo connect-failed; fi");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "child timed out");
        return stdout.Result + stderr.Result;
    }

    private DecisionEvent WaitForDecision(string rule) => WaitForDecision(d => d.Policy == rule, $"'{rule}'");

    private DecisionEvent WaitForDecision(Func<DecisionEvent, bool> match, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            lock (_decisions)
            {
                if (_decisions.FirstOrDefault(match) is { } found)
                {
                    return found;
                }
            }

            _arrived.Wait(TimeSpan.FromMilliseconds(200));
        }

        lock (_decisions)
        {
            Assert.Fail($"no decision for {what} within 10 s; got: {string.Join(", ", _decisions.Select(d => $"{d.Policy}/{d.Action}/{d.Subject}@{d.TimestampNs}"))}");
        }

        return null!;
    }

    private static void AssertReport(EnforcementCoordinator c, string rule)
    {
        var r = Assert.Single(c.Report, x => x.Rule == rule);
        Assert.True(r.InKernel, r.ToString());
        if (c.LsmActive)
        {
            Assert.Equal(RuleEnforcement.Lsm, r.Mechanism);
        }
        else
        {
            // This host lists bpf as an LSM but refuses BPF LSM programs: the coordinator tried and fell back.
            Assert.NotNull(c.LsmFailure);
            Assert.Equal(RuleEnforcement.Cgroup, r.Mechanism);
            Assert.Contains("connect4/6", r.Detail, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1/32", r.Detail, StringComparison.Ordinal);
        }

        var user = Assert.Single(c.Report, x => x.Rule == "No shadow for sshd");
        Assert.False(user.InKernel);
        Assert.Equal("proc.pname", user.Field);
    }

    [CgroupBpfFact]
    public void Enforce_ConnectDenyRule_ChildGetsEpermAndDecisionArrives()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string rule = $"No c2 {port}";
        using (var c = Start(Rules(DenyConnect(port)), "enforce"))
        {
            AssertReport(c, rule);

            var output = ConnectFromChild(port);
            Assert.Contains("connect-failed", output, StringComparison.Ordinal);
            Assert.Contains("Operation not permitted", output, StringComparison.Ordinal);
            Assert.False(listener.Pending());

            var d = WaitForDecision(rule);
            Assert.Equal("denied", d.Action);
            Assert.Equal($"127.0.0.1:{port}", d.Subject);
            Assert.Equal("bash", d.Comm);
            Assert.True(d.Pid > 0 && d.Pid != Environment.ProcessId);
            Assert.Contains(d.Source, new[] { EventSource.Cgroup, EventSource.Lsm });

            // a reload without the rule lifts the deny
            c.Update(Rules("- rule: unrelated\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n"));
            Assert.Empty(c.Report);
            Assert.Contains("connect-ok", ConnectFromChild(port), StringComparison.Ordinal);

            // and a reload with it puts it back
            c.Update(Rules(DenyConnect(port)));
            Assert.Contains("connect-failed", ConnectFromChild(port), StringComparison.Ordinal);
        }

        // disposed without unpin: the pinned policy stays in force until the next coordinator takes over, which
        // (without the rule) lifts it
        Assert.Contains("connect-failed", ConnectFromChild(port), StringComparison.Ordinal);
        using (var next = Start(Rules("- rule: unrelated\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n"), "enforce"))
        {
            Assert.Contains("connect-ok", ConnectFromChild(port), StringComparison.Ordinal);
            Assert.False(Directory.Exists(CgroupPinRoot));
        }
    }

    private static string DenyConnectOnly(int port) => $"""
        - rule: No c2 {port}
          desc: d
          condition: evt.type = connect and fd.sip = 127.0.0.1 and fd.sport = {port}
          output: "c2 connect (%fd.name)"
          priority: CRITICAL
          action: deny

        """;

    [CgroupBpfFact]
    public void Restart_PinnedNetworkDeny_NextCoordinatorTakesOverAndUnpinRemovesIt()
    {
        using var keptListener = new TcpListener(IPAddress.Loopback, 0);
        using var droppedListener = new TcpListener(IPAddress.Loopback, 0);
        keptListener.Start();
        droppedListener.Start();
        int kept = ((IPEndPoint)keptListener.LocalEndpoint).Port;
        int dropped = ((IPEndPoint)droppedListener.LocalEndpoint).Port;

        // Rules the first run has before the kept one (in file and name order), so an id given by position would differ
        // between the runs.
        string earlier = DenyConnectOnly(1) + DenyConnectOnly(2) + DenyConnectOnly(3);
        using (var first = Start(Rules(earlier + DenyConnectOnly(dropped) + DenyConnectOnly(kept)), "enforce"))
        {
            Assert.Equal(5, first.Report.Count(r => r.InKernel));
            if (!first.LsmActive)
            {
                Assert.True(Directory.Exists(CgroupPinRoot));
            }
        }

        // no coordinator: both still denied
        Assert.Contains("connect-failed", ConnectFromChild(kept), StringComparison.Ordinal);
        Assert.Contains("connect-failed", ConnectFromChild(dropped), StringComparison.Ordinal);
        long gapEndNs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

        var second = Start(Rules(DenyConnectOnly(kept)), "enforce");
        try
        {
            // the new coordinator ends with exactly its own entries
            Assert.Contains("connect-failed", ConnectFromChild(kept), StringComparison.Ordinal);
            Assert.Contains("connect-ok", ConnectFromChild(dropped), StringComparison.Ordinal);
            WaitForDecision($"No c2 {kept}");

            // the decision the kernel recorded while no coordinator ran names its rule: rule ids are stable across runs
            WaitForDecision(d => d.Policy == $"No c2 {kept}" && d.TimestampNs < gapEndNs, "the gap decision, named");
        }
        finally
        {
            second.Dispose(unpin: true);
        }

        Assert.False(Directory.Exists(CgroupPinRoot));
        Assert.Contains("connect-ok", ConnectFromChild(kept), StringComparison.Ordinal);
    }

    [CgroupBpfFact]
    public void Monitor_ConnectDenyRule_ConnectProceedsAndWouldDenyArrives()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string rule = $"No c2 {port}";
        using var c = Start(Rules(DenyConnect(port)), "monitor");
        AssertReport(c, rule);
        Assert.True(c.Report.Single(x => x.Rule == rule).Monitor);

        Assert.Contains("connect-ok", ConnectFromChild(port), StringComparison.Ordinal);
        Assert.True(ListenerAssert.Accepted(listener));

        var d = WaitForDecision(rule);
        Assert.Equal("would-deny", d.Action);
        Assert.Equal($"127.0.0.1:{port}", d.Subject);
        Assert.Equal(0, d.Res);
    }

    [CgroupBpfFact]
    public void Enforce_KillRuleWithoutLsm_StaysInUserSpaceWithReason()
    {
        int port = 40000 + (Environment.ProcessId % 20000);
        using var c = Start(Rules(DenyConnect(port, "kill")), "enforce");
        var r = Assert.Single(c.Report, x => x.Rule == $"No c2 {port}");
        if (c.LsmActive)
        {
            Assert.Equal(RuleEnforcement.Lsm, r.Mechanism);
            return;
        }

        Assert.False(r.InKernel);
        Assert.Contains("kill needs BPF LSM", r.Detail, StringComparison.Ordinal);
        Assert.Equal(RuleEnforcement.UserSpace, r.Mechanism);
    }

    [CgroupBpfFact]
    public void Enforce_ContainerQualifiedConnectRule_DeniesOnlyInsideThatCgroup()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        const string Container = "0123456789ab";
        var cgroup = Path.Combine(CgroupPaths.FindCgroup2Mount()!, $"harrier-test-{Container}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(cgroup);
        try
        {
            var rules = Rules($"""
                - rule: No c2 in container
                  desc: d
                  condition: evt.type = connect and container.id = {Container} and fd.sip = 127.0.0.1 and fd.sport = {port}
                  output: o
                  priority: CRITICAL
                  action: deny
                """);
            using (var c = Start(rules, "enforce", id => id == Container ? cgroup : null))
            {
                var r = Assert.Single(c.Report);
                Assert.True(r.InKernel, r.ToString());
                Assert.True(c.EnforcedInKernel("No c2 in container"));
                Assert.Equal(RuleEnforcement.Cgroup, r.Mechanism); // LSM entries cannot be qualified by container

                Assert.Contains("connect-failed", ConnectFromChild(port, cgroup), StringComparison.Ordinal);
                Assert.Contains("connect-ok", ConnectFromChild(port), StringComparison.Ordinal);
                var d = WaitForDecision("No c2 in container");
                Assert.Equal("denied", d.Action);
                Assert.Equal(CgroupPaths.CgroupId(cgroup), d.CgroupId);
            }
        }
        finally
        {
            Directory.Delete(cgroup); // rmdir: the child has exited
        }
    }

    [CgroupBpfFact]
    public void Enforce_FileRuleWithoutLsm_StaysInUserSpaceWithLsmReason()
    {
        var rules = Rules("""
            - rule: No shadow
              desc: d
              condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow
              output: o
              priority: WARNING
              action: deny
            - rule: Container gone
              desc: d
              condition: evt.type = connect and container.id = fedcba987654 and fd.sip = 127.0.0.1
              output: o
              priority: WARNING
              action: deny
            """);
        using var c = Start(rules, "enforce", _ => null);
        var gone = Assert.Single(c.Report, x => x.Rule == "Container gone");
        Assert.False(gone.InKernel);
        Assert.False(c.EnforcedInKernel("Container gone"));
        Assert.Contains("fedcba987654 has no cgroup", gone.Detail, StringComparison.Ordinal);
        var shadow = Assert.Single(c.Report, x => x.Rule == "No shadow");
        if (c.LsmActive)
        {
            Assert.Equal(RuleEnforcement.Lsm, shadow.Mechanism);
            return;
        }

        Assert.Equal(RuleEnforcement.UserSpace, shadow.Mechanism);
        Assert.Contains("need BPF LSM", shadow.Detail, StringComparison.Ordinal);
        Assert.Contains(c.LsmFailure!, shadow.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void FindContainerCgroup_MatchesOneDirectoryByIdAndRefusesAmbiguity()
    {
        var root = Path.Combine(Path.GetTempPath(), "harrier-cg-" + Guid.NewGuid().ToString("N"));
        try
        {
            var scope = Path.Combine(root, "system.slice", "docker-0123456789abcdef0123.scope");
            Directory.CreateDirectory(scope);
            Directory.CreateDirectory(Path.Combine(root, "user.slice", "session-1.scope"));
            Assert.Equal(scope, EnforcementCoordinator.FindContainerCgroup(root, "0123456789ab"));
            Assert.Null(EnforcementCoordinator.FindContainerCgroup(root, "ffffffffffff"));
            Assert.Null(EnforcementCoordinator.FindContainerCgroup(root, "0123")); // too short to be an id
            Directory.CreateDirectory(Path.Combine(root, "kubepods", "cri-containerd-0123456789abcdef9999.scope"));
            Assert.Null(EnforcementCoordinator.FindContainerCgroup(root, "0123456789ab")); // ambiguous
            Assert.Null(EnforcementCoordinator.FindContainerCgroup(null, "0123456789ab"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The BPF LSM side of the coordinator through maps-only mode (no hook is attached, so this runs where BPF LSM
    /// programs are refused): entries land in the pinned policy maps, a second rule on the same object and a rule on a
    /// missing file fall back to user space with the reason, a reload replaces the entries, unpin-dispose removes them.
    /// </summary>
    [Harrier.Kernel.Tests.Lsm.RootFact]
    public void MapsOnlyLsm_Rules_LandInPolicyMapsAndConflictsFallBack()
    {
        var dir = Directory.CreateTempSubdirectory("harrier-coord-").FullName;
        try
        {
            var secret = Path.Combine(dir, "secret");
            File.WriteAllText(secret, "x");
            var yaml = $"""
                - rule: No secret
                  desc: d
                  condition: evt.type in (open, openat, openat2) and fd.name = {secret}
                  output: o
                  priority: WARNING
                  action: deny
                - rule: No secret again
                  desc: d
                  condition: evt.type in (unlink, unlinkat) and fd.name = {secret}
                  output: o
                  priority: WARNING
                  action: deny
                - rule: No missing
                  desc: d
                  condition: evt.type in (open, openat, openat2) and fd.name = {dir}/missing
                  output: o
                  priority: WARNING
                  action: deny
                - rule: Kill c2
                  desc: d
                  condition: evt.type = connect and fd.snet = "203.0.113.0/24"
                  output: o
                  priority: WARNING
                  action: kill
                - rule: No exec for 4242
                  desc: d
                  condition: evt.type in (execve, execveat) and user.uid = 4242
                  output: o
                  priority: WARNING
                  action: deny
                """;
            var options = new LsmEnforcerOptions { PinRoot = _pinRoot, MapsOnly = true };
            using var c = EnforcementCoordinator.Start(Rules(yaml), new EnforcementOptions { Mode = "enforce" }, _ => { }, NullLogger.Instance, options);
            Assert.True(c.LsmActive);
            var byRule = c.Report.ToDictionary(r => r.Rule);
            Assert.Equal(RuleEnforcement.Lsm, byRule["No secret"].Mechanism);
            Assert.Equal($"file_open (path {secret})", byRule["No secret"].Detail);
            Assert.Equal(RuleEnforcement.UserSpace, byRule["No secret again"].Mechanism);
            Assert.Contains("already an entry of rule 'No secret'", byRule["No secret again"].Detail, StringComparison.Ordinal);
            Assert.Equal(RuleEnforcement.UserSpace, byRule["No missing"].Mechanism);
            Assert.Contains("cannot resolve", byRule["No missing"].Detail, StringComparison.Ordinal);
            Assert.Equal(RuleEnforcement.Lsm, byRule["Kill c2"].Mechanism);
            Assert.Equal(RuleEnforcement.Lsm, byRule["No exec for 4242"].Mechanism);

            using (var view = LsmEnforcer.Start(options))
            {
                Assert.Equal(1, view.CountEntries(PolicyTable.Inode));
                Assert.Equal(1, view.CountEntries(PolicyTable.Net));
                Assert.Equal(1, view.CountEntries(PolicyTable.Uid));
            }

            c.Update(Rules(yaml.Replace("action: kill", "action: alert", StringComparison.Ordinal)));
            Assert.DoesNotContain(c.Report, r => r.Rule == "Kill c2");
            using (var view = LsmEnforcer.Start(options))
            {
                Assert.Equal(0, view.CountEntries(PolicyTable.Net));
                Assert.Equal(1, view.CountEntries(PolicyTable.Inode));
            }

            c.Dispose(unpin: true);
            using (var view = LsmEnforcer.Start(options))
            {
                Assert.Equal(0, view.CountEntries(PolicyTable.Inode));
                Assert.Equal(0, view.CountEntries(PolicyTable.Uid));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string FileDeny(string rule, string path) => $"""
        - rule: {rule}
          desc: d
          condition: evt.type in (open, openat, openat2) and fd.name = {path}
          output: o
          priority: WARNING
          action: deny

        """;

    private const string ExecDenyUid4242 = """
        - rule: No exec for 4242
          desc: d
          condition: evt.type in (execve, execveat) and user.uid = 4242
          output: o
          priority: WARNING
          action: deny

        """;

    private static string KillNet(string cidr) => $"""
        - rule: Kill c2
          desc: d
          condition: evt.type = connect and fd.snet = "{cidr}"
          output: o
          priority: WARNING
          action: kill

        """;

    private const string AlertOnly = "- rule: unrelated\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: INFO\n";

    private static byte[] InodeKey(string path)
    {
        var entries = PolicyCompiler.Compile([new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = path, RuleId = 1 }], PolicyCompiler.StatResolver, out var errors);
        Assert.Empty(errors);
        return Assert.Single(entries).Key;
    }

    private static bool Holds(LsmEnforcer view, PolicyTable table, byte[] key) =>
        view.Entries(table).Any(e => e.Key.AsSpan().SequenceEqual(key));

    /// <summary>
    /// A restart with a changed rule set (BPF LSM through maps-only mode): the second run reuses the pinned maps, in
    /// which the first left entries for rules the second no longer has. They must be gone once it started, while the
    /// entry of the rule both runs have stays.
    /// </summary>
    [Harrier.Kernel.Tests.Lsm.RootFact]
    public void Restart_ChangedRuleSet_EntriesOfRemovedRulesAreGone()
    {
        var dir = Directory.CreateTempSubdirectory("harrier-coord-").FullName;
        try
        {
            var secret = Path.Combine(dir, "secret");
            var other = Path.Combine(dir, "other");
            File.WriteAllText(secret, "x");
            File.WriteAllText(other, "x");
            var options = new LsmEnforcerOptions { PinRoot = _pinRoot, MapsOnly = true };
            var enforce = new EnforcementOptions { Mode = "enforce" };
            using (var first = EnforcementCoordinator.Start(Rules(FileDeny("No secret", secret) + FileDeny("No other", other) + KillNet("203.0.113.0/24") + ExecDenyUid4242), enforce, _ => { }, NullLogger.Instance, options))
            {
                Assert.Equal(4, first.Report.Count(r => r.Mechanism == RuleEnforcement.Lsm));
            }

            // the first run is gone; its policy stays pinned (a restart must not open a gap)
            using (var view = LsmEnforcer.Start(options))
            {
                Assert.Equal(2, view.CountEntries(PolicyTable.Inode));
                Assert.Equal(1, view.CountEntries(PolicyTable.Uid));
            }

            using var second = EnforcementCoordinator.Start(Rules(FileDeny("No secret", secret) + KillNet("198.51.100.0/24")), enforce, _ => { }, NullLogger.Instance, options);
            Assert.Equal(2, second.Report.Count(r => r.Mechanism == RuleEnforcement.Lsm));
            using (var view = LsmEnforcer.Start(options))
            {
                Assert.True(Holds(view, PolicyTable.Inode, InodeKey(secret)));
                Assert.False(Holds(view, PolicyTable.Inode, InodeKey(other)), "the entry of the removed rule 'No other' survived the restart");
                Assert.Equal(1, view.CountEntries(PolicyTable.Inode));
                Assert.Equal(1, view.CountEntries(PolicyTable.Net)); // 198.51.100.0/24 only
                Assert.Equal(0, view.CountEntries(PolicyTable.Uid));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A restart whose rule set has no BPF LSM rule at all: the coordinator never needs the LSM enforcer, yet the
    /// pinned maps of the earlier run (whose pinned hooks would keep enforcing them) must be emptied.
    /// </summary>
    [Harrier.Kernel.Tests.Lsm.RootFact]
    public void Restart_NoBpfLsmRuleLeft_PinnedEntriesOfTheEarlierRunAreRemoved()
    {
        var dir = Directory.CreateTempSubdirectory("harrier-coord-").FullName;
        try
        {
            var secret = Path.Combine(dir, "secret");
            File.WriteAllText(secret, "x");
            var options = new LsmEnforcerOptions { PinRoot = _pinRoot, MapsOnly = true };
            var enforce = new EnforcementOptions { Mode = "enforce" };
            using (var first = EnforcementCoordinator.Start(Rules(FileDeny("No secret", secret) + ExecDenyUid4242), enforce, _ => { }, NullLogger.Instance, options))
            {
                Assert.True(first.LsmActive);
            }

            using var second = EnforcementCoordinator.Start(Rules(AlertOnly), enforce, _ => { }, NullLogger.Instance, options);
            Assert.False(second.LsmActive);
            using var view = LsmEnforcer.Start(options);
            Assert.Equal(0, view.CountEntries(PolicyTable.Inode));
            Assert.Equal(0, view.CountEntries(PolicyTable.Uid));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A reload that keeps two rules, drops one and adds one (BPF LSM through maps-only mode). Every log line the
    /// coordinator and the enforcer write during the reload is a point where the test looks into the pinned maps:
    /// the entries of the two kept rules must be there at each of them (new-then-remove-old, never remove-first).
    /// </summary>
    [Harrier.Kernel.Tests.Lsm.RootFact]
    public void Update_RulesInBothSets_LsmEntriesNeverAbsentDuringReload()
    {
        var dir = Directory.CreateTempSubdirectory("harrier-coord-").FullName;
        try
        {
            var secret = Path.Combine(dir, "secret");
            var other = Path.Combine(dir, "other");
            File.WriteAllText(secret, "x");
            File.WriteAllText(other, "x");
            var options = new LsmEnforcerOptions { PinRoot = _pinRoot, MapsOnly = true };
            var kept = new[] { InodeKey(secret), InodeKey(other) };
            LsmEnforcer? view = null;
            var problems = new List<string>();
            int checks = 0;
            var logger = new ObservingLogger(message =>
            {
                if (view is null)
                {
                    return;
                }

                checks++;
                if (!kept.All(k => Holds(view, PolicyTable.Inode, k)))
                {
                    problems.Add($"a kept rule's entry was absent at: {message}");
                }
            });

            using var c = EnforcementCoordinator.Start(Rules(FileDeny("No secret", secret) + FileDeny("No other", other) + ExecDenyUid4242), new EnforcementOptions { Mode = "enforce" }, _ => { }, logger, options);
            using (view = LsmEnforcer.Start(options))
            {
                c.Update(Rules(FileDeny("No secret", secret) + FileDeny("No other", other) + KillNet("203.0.113.0/24")));
                var observer = view;
                view = null;
                Assert.True(checks >= 2, $"only {checks} observation points");
                Assert.Empty(problems);
                Assert.Equal(2, observer.CountEntries(PolicyTable.Inode));
                Assert.Equal(1, observer.CountEntries(PolicyTable.Net));
                Assert.Equal(0, observer.CountEntries(PolicyTable.Uid));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The same for network deny rules through the kernel's live mechanism (cgroup programs at the root of the
    /// hierarchy here, BPF LSM where it loads): at every log line during the reload, a connect from this process to
    /// each kept rule's destination must still be refused.
    /// </summary>
    [CgroupBpfFact]
    public void Update_NetworkRulesInBothSets_DenyNeverLiftedDuringReload()
    {
        var listeners = Enumerable.Range(0, 4).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var l in listeners)
            {
                l.Start();
            }

            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
            bool observing = false;
            var problems = new List<string>();
            int checks = 0;
            var logger = new ObservingLogger(message =>
            {
                if (!observing)
                {
                    return;
                }

                checks++;
                foreach (var port in ports[..2])
                {
                    if (ConnectsFromHere(port))
                    {
                        problems.Add($"connect to kept rule's port {port} went through at: {message}");
                    }
                }
            });

            string Deny(int i) => DenyConnect(ports[i]).Split("- rule: No shadow", StringSplitOptions.None)[0];
            using var c = EnforcementCoordinator.Start(Rules(Deny(0) + Deny(1) + Deny(2)), new EnforcementOptions { Mode = "enforce" }, _ => { }, logger, new LsmEnforcerOptions { PinRoot = _pinRoot });
            Assert.All(ports[..3], p => Assert.True(c.EnforcedInKernel($"No c2 {p}")));
            Assert.False(ConnectsFromHere(ports[0]));

            observing = true;
            c.Update(Rules(Deny(0) + Deny(1) + Deny(3)));
            observing = false;

            Assert.True(checks >= 2, $"only {checks} observation points");
            Assert.Empty(problems);
            Assert.False(ConnectsFromHere(ports[1]));
            Assert.True(ConnectsFromHere(ports[2]), "the dropped rule's deny must be gone after the reload");
            Assert.False(ConnectsFromHere(ports[3]));
        }
        finally
        {
            foreach (var l in listeners)
            {
                l.Dispose();
            }
        }
    }

    private static bool ConnectsFromHere(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A logger that hands every formatted message to a callback (an observation point inside the code under test).</summary>
    private sealed class ObservingLogger(Action<string> onLog) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            onLog(formatter(state, exception));
    }
}
