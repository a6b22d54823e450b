using System.Buffers.Binary;
using Harrier.Engine.Enforcement;

namespace Harrier.Engine.Tests.Enforcement;

/// <summary>The removal step of a policy reconcile, without a kernel: which keys of a map the new policy does not have.</summary>
public sealed class MapKeyDiffTests
{
    private static byte[] Key(uint uid)
    {
        var k = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(k, uid);
        return k;
    }

    private static byte[] Value(uint ruleId)
    {
        var v = new byte[PolicyEntry.ValueSize];
        BinaryPrimitives.WriteUInt32LittleEndian(v, ruleId);
        return v;
    }

    private static bool SelfProtection(byte[] value) => BinaryPrimitives.ReadUInt32LittleEndian(value) == 0;

    [Fact]
    public void Unwanted_EntriesOfAnEarlierRun_OnlyKeysMissingFromTheNewPolicy()
    {
        // An earlier run wrote uids 1, 2, 3 under its own rule ids; the new policy has uids 2 and 4 (rule ids of this run).
        var present = new[] { (Key(1), Value(7)), (Key(2), Value(8)), (Key(3), Value(9)) };

        var unwanted = MapKeyDiff.Unwanted(present, [Key(2), Key(4)], SelfProtection);

        Assert.Equal([Key(1), Key(3)], unwanted);
    }

    [Fact]
    public void Unwanted_KeyInBothPolicies_IsKeptWhateverItsValue()
    {
        // The value differs (other rule id, monitor flag): the key was overwritten in place and must not be deleted.
        var unwanted = MapKeyDiff.Unwanted([(Key(5), Value(1))], [Key(5)], SelfProtection);

        Assert.Empty(unwanted);
    }

    [Fact]
    public void Unwanted_SelfProtectionEntry_IsNeverRemoved()
    {
        var present = new[] { (Key(1), Value(0)), (Key(2), Value(3)) };

        Assert.Equal([Key(2)], MapKeyDiff.Unwanted(present, [], SelfProtection));
        Assert.Equal([Key(1), Key(2)], MapKeyDiff.Unwanted(present, []));
    }

    [Fact]
    public void Unwanted_EmptyNewPolicy_RemovesEverything()
    {
        var present = new[] { (Key(1), Value(1)), (Key(2), Value(2)) };

        Assert.Equal(2, MapKeyDiff.Unwanted(present, []).Count);
        Assert.Empty(MapKeyDiff.Unwanted([], [Key(1)]));
    }

    [Fact]
    public void Unwanted_ComparesWholeKeys()
    {
        // LPM keys differing only in the prefix length are different entries.
        var wide = new byte[] { 24, 0, 0, 0, 10, 0, 0, 0 };
        var narrow = new byte[] { 32, 0, 0, 0, 10, 0, 0, 0 };

        var unwanted = MapKeyDiff.Unwanted([(wide, Value(1)), (narrow, Value(1))], [(byte[])narrow.Clone()]);

        Assert.Equal([wide], unwanted);
    }
}
