using System.Net;
using Harrier.Engine.Enforcement;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Lsm;

/// <summary>
/// The enforcer's map side against the running kernel, in maps-only mode (no LSM program is loaded, so this runs
/// on kernels without BPF LSM): pinning and reuse across instances, policy round trips through the kernel maps,
/// self-protection state, protected ids, counters, unpin. Needs root and bpffs. The LSM hooks themselves are
/// exercised in qemu by scripts/vm-test.sh.
/// </summary>
public sealed class LsmMapsKernelTests : IDisposable
{
    private readonly string _root = "/sys/fs/bpf/harrier/test-maps-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _dir = Directory.CreateTempSubdirectory("harrier-lsm-maps-").FullName;

    public void Dispose()
    {
        LsmEnforcer.Unpin(_root);
        Directory.Delete(_dir, recursive: true);
    }

    private LsmEnforcer Open() => LsmEnforcer.Start(new LsmEnforcerOptions { PinRoot = _root, MapsOnly = true });

    [RootFact]
    public void MapsOnly_PolicyRoundTrip_PersistsAcrossInstancesAndUnpins()
    {
        string file = Path.Combine(_dir, "secret");
        File.WriteAllText(file, "x");
        var policies = new EnforcementPolicy[]
        {
            new() { Kind = PolicyKind.FilePath, Value = file, RuleId = 1, RuleName = "secret" },
            new() { Kind = PolicyKind.FilePrefix, Value = _dir, RuleId = 2, Monitor = true },
            new() { Kind = PolicyKind.ConnectCidr, Value = "203.0.113.0/24:443", RuleId = 3 },
            new() { Kind = PolicyKind.ConnectCidr, Value = "2001:db8::/32", RuleId = 4, Action = RuleAction.Kill },
            new() { Kind = PolicyKind.Uid, Value = "*", RuleId = 5, Operations = PolicyOperations.Module },
            new() { Kind = PolicyKind.Cgroup, Value = "4242", RuleId = 6, Operations = PolicyOperations.Connect },
        };

        using (var first = Open())
        {
            Assert.False(first.Reused);
            Assert.Equal(0, first.ProgramCount);
            Assert.Empty(first.Apply(policies));
            Assert.Equal(2, first.CountEntries(PolicyTable.Inode));
            Assert.Equal(2, first.CountEntries(PolicyTable.Net));
            Assert.Equal(1, first.CountEntries(PolicyTable.Uid));
            Assert.Equal(1, first.CountEntries(PolicyTable.Cgroup));
            Assert.Equal("secret", first.RuleName(1));
            Assert.Contains(first.ProtectedIds(), x => x.Kind == 2);
        }

        using (var second = Open())
        {
            Assert.True(second.Reused);
            Assert.Equal(2, second.CountEntries(PolicyTable.Inode)); // the kernel kept them while no process held the maps
            Assert.Equal(1, second.Remove([policies[2]]));
            Assert.Equal(0, second.Remove([policies[2]]));
            Assert.Equal(1, second.CountEntries(PolicyTable.Net));
            Assert.Equal(5, second.Clear());
            Assert.Equal(0, second.CountEntries(PolicyTable.Inode) + second.CountEntries(PolicyTable.Net));
        }

        Assert.Empty(LsmEnforcer.Unpin(_root));
        Assert.False(Directory.Exists(_root));
    }

    [RootFact]
    public void MapsOnly_InvalidList_AppliesNothing()
    {
        using var e = Open();
        var errors = e.Apply(
        [
            new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "198.51.100.0/24", RuleId = 1 },
            new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = Path.Combine(_dir, "missing"), RuleId = 2 },
        ]);
        Assert.Single(errors);
        Assert.Equal(0, e.CountEntries(PolicyTable.Net));
    }

    [RootFact]
    public void SelfProtection_OnOff_TracksThisProcessAndPinDirectory()
    {
        using var e = Open();
        Assert.Equal(0, e.ProtectedTgid);
        e.SetSelfProtection(true);
        Assert.Equal(Environment.ProcessId, e.ProtectedTgid);
        Assert.True(e.IsSelfProtecting);
        Assert.Equal(1, e.CountEntries(PolicyTable.Inode)); // the pin directory's unlink/rename entry
        Assert.Equal(0, e.Clear()); // self-protection entries are not policy
        e.SetSelfProtection(false);
        Assert.Equal(0, e.ProtectedTgid);
        Assert.Equal(0, e.CountEntries(PolicyTable.Inode));
    }

    [RootFact]
    public void Dispose_TurnsOffOwnSelfProtection()
    {
        using (var e = Open())
        {
            e.SetSelfProtection(true);
        }
        using var again = Open();
        Assert.Equal(0, again.ProtectedTgid);
    }

    [RootFact]
    public void Stats_FreshMaps_AreZeroAndPollTimesOutEmpty()
    {
        using var e = Open();
        Assert.Equal(new LsmStats(0, 0, 0, 0, 0, 0, 0), e.ReadStats());
        var got = new List<LsmDecision>();
        Assert.Equal(0, e.PollDecisions(10, got.Add));
        Assert.Empty(got);
    }

    [RootFact]
    public void Apply_AfterDispose_Throws()
    {
        var e = Open();
        e.Dispose();
        Assert.Throws<ObjectDisposedException>(() => e.Apply([new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = IPAddress.Loopback.ToString(), RuleId = 1 }]));
    }
}
