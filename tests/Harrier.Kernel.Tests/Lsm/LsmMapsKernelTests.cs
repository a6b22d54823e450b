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

    private static byte[] KeyOf(EnforcementPolicy policy)
    {
        var entries = PolicyCompiler.Compile([policy], PolicyCompiler.StatResolver, out var errors);
        Assert.Empty(errors);
        return Assert.Single(entries).Key;
    }

    private static uint RuleIdOf(LsmEnforcer e, PolicyTable table, byte[] key) =>
        e.Entries(table).Where(x => x.Key.AsSpan().SequenceEqual(key)).Select(x => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(x.Value)).SingleOrDefault();

    /// <summary>
    /// A restart with a changed rule set: the second process reuses the pinned maps, in which the first left entries
    /// for rules that are gone. After Reconcile the maps hold exactly the new policy (and self-protection).
    /// </summary>
    [RootFact]
    public void Reconcile_EntriesOfAnEarlierRun_OnlyTheNewPolicyRemains()
    {
        string kept = Path.Combine(_dir, "kept");
        string dropped = Path.Combine(_dir, "dropped");
        File.WriteAllText(kept, "x");
        File.WriteAllText(dropped, "x");
        using (var first = Open())
        {
            Assert.Empty(first.Apply(
            [
                new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = kept, RuleId = 1 },
                new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = dropped, RuleId = 2 },
                new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "203.0.113.0/24", RuleId = 3 },
                new EnforcementPolicy { Kind = PolicyKind.Uid, Value = "4242", RuleId = 4, Operations = PolicyOperations.Exec },
            ]));
        }

        using var second = Open();
        Assert.True(second.Reused);
        second.SetSelfProtection(true); // the pin directory's entry (rule id 0) is not policy and must stay
        var keptPolicy = new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = kept, RuleId = 1, Monitor = true };
        var newNet = new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "198.51.100.0/24", RuleId = 2 };

        Assert.Empty(second.Reconcile([keptPolicy, newNet]));

        Assert.Equal(2, second.CountEntries(PolicyTable.Inode)); // kept + the pin directory
        Assert.Equal(1u, RuleIdOf(second, PolicyTable.Inode, KeyOf(keptPolicy)));
        Assert.Equal(0u, RuleIdOf(second, PolicyTable.Inode, KeyOf(new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = dropped, RuleId = 2 })));
        Assert.Equal(KeyOf(newNet), Assert.Single(second.Entries(PolicyTable.Net)).Key);
        Assert.Equal(0, second.CountEntries(PolicyTable.Uid));
        second.SetSelfProtection(false);
        Assert.Equal(1, second.CountEntries(PolicyTable.Inode));
    }

    [RootFact]
    public void Reconcile_InvalidPolicy_RemovesNothing()
    {
        using var e = Open();
        Assert.Empty(e.Apply([new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "203.0.113.0/24", RuleId = 1 }]));

        var errors = e.Reconcile(
        [
            new EnforcementPolicy { Kind = PolicyKind.Uid, Value = "4242", RuleId = 2, Operations = PolicyOperations.Exec },
            new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = Path.Combine(_dir, "missing"), RuleId = 3 },
        ]);

        Assert.Single(errors);
        Assert.Equal(1, e.CountEntries(PolicyTable.Net));
        Assert.Equal(0, e.CountEntries(PolicyTable.Uid));
    }

    /// <summary>
    /// A write that fails part-way (the uid map is full) undoes itself: a key it had overwritten gets its earlier
    /// entry back instead of being deleted, so a failed reload never takes an old entry away.
    /// </summary>
    [RootFact]
    public void Apply_MapFullMidway_RestoresTheEntriesItOverwrote()
    {
        using var e = Open();
        const int Capacity = 4096; // pol_uid max_entries (policy_maps.h)
        var fill = Enumerable.Range(0, Capacity)
            .Select(i => new EnforcementPolicy { Kind = PolicyKind.Uid, Value = (10_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), RuleId = 1, Operations = PolicyOperations.Exec })
            .ToList();
        Assert.Empty(e.Apply(fill));

        var errors = e.Apply(
        [
            fill[0] with { RuleId = 2 },
            new EnforcementPolicy { Kind = PolicyKind.Uid, Value = "99999", RuleId = 2, Operations = PolicyOperations.Exec },
        ]);

        Assert.Contains("map full", Assert.Single(errors), StringComparison.Ordinal);
        Assert.Equal(Capacity, e.CountEntries(PolicyTable.Uid));
        Assert.Equal(1u, RuleIdOf(e, PolicyTable.Uid, KeyOf(fill[0])));
    }

    /// <summary>
    /// The same undo in the LPM trie, where a lookup of an absent key answers a covering prefix: a key the failed
    /// call added must go, not be written back with the covering entry's value.
    /// </summary>
    [RootFact]
    public void Apply_NetTrieFullMidway_RemovesTheKeyItAddedUnderACoveringPrefix()
    {
        using var e = Open();
        const int Capacity = 16384; // pol_net max_entries (policy_maps.h)
        var fill = new List<EnforcementPolicy> { new() { Kind = PolicyKind.ConnectCidr, Value = "10.0.0.0/8", RuleId = 1 } };
        fill.AddRange(Enumerable.Range(0, Capacity - 2)
            .Select(i => new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = $"172.16.{i / 256}.{i % 256}", RuleId = 1 }));
        Assert.Empty(e.Apply(fill));
        var covered = new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "10.1.0.0/16", RuleId = 2 };

        var errors = e.Apply([covered, new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "10.2.0.0/16", RuleId = 2 }]);

        Assert.Single(errors);
        Assert.Equal(Capacity - 1, e.CountEntries(PolicyTable.Net));
        Assert.Equal(0u, RuleIdOf(e, PolicyTable.Net, KeyOf(covered)));
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
