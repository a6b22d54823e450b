using Harrier.Engine.Bench;

namespace Harrier.Engine.Tests.Bench;

/// <summary>The alternating (ABBA) schedule of with/without rounds and its switching discipline.</summary>
public sealed class EnforceBenchRoundsTests
{
    [Fact]
    public void Alternate_ThreeRounds_AbbaOrderSamplesPairedByRound()
    {
        bool enabled = false;
        var switches = new List<bool>();
        var order = new List<bool>();
        int n = 0;
        var (without, with) = EnforceBenchRounds.Alternate(
            3,
            on =>
            {
                Assert.NotEqual(enabled, on); // only real switches are requested
                enabled = on;
                switches.Add(on);
            },
            () =>
            {
                order.Add(enabled);
                return enabled ? 1000 + n++ : n++;
            });

        // round 0: off, on; round 1: on, off; round 2: off, on — then switched off at the end
        Assert.Equal([false, true, true, false, false, true], order);
        Assert.Equal([true, false, true, false], switches);
        Assert.False(enabled);
        Assert.Equal([0.0, 3, 4], without);
        Assert.Equal([1001.0, 1002, 1005], with);
    }

    [Fact]
    public void Alternate_MeasureThrows_MechanismLeftOff()
    {
        bool enabled = false;
        int calls = 0;
        Assert.Throws<InvalidOperationException>(() => EnforceBenchRounds.Alternate(
            4,
            on => enabled = on,
            () => ++calls == 2 ? throw new InvalidOperationException("loop failed") : 1.0));
        Assert.False(enabled);
    }

    [Fact]
    public void Alternate_ZeroRounds_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EnforceBenchRounds.Alternate(0, _ => { }, () => 1.0));

    [Fact]
    public void Rotate_ThreeStates_EachFirstOnceAndRestoredToZero()
    {
        int state = 0;
        var order = new List<int>();
        var sets = new List<int>();
        var samples = EnforceBenchRounds.Rotate(
            3,
            3,
            s =>
            {
                Assert.NotEqual(state, s);
                state = s;
                sets.Add(s);
            },
            () =>
            {
                order.Add(state);
                return (state * 100) + order.Count;
            });

        Assert.Equal([0, 1, 2, 1, 2, 0, 2, 0, 1], order);
        Assert.Equal(0, state);
        Assert.Equal(0, sets[^1]);
        Assert.Equal([1.0, 6, 8], samples[0]);
        Assert.Equal([102.0, 104, 109], samples[1]);
        Assert.Equal([203.0, 205, 207], samples[2]);
    }

    [Fact]
    public void Rotate_SwitchFails_RestoresStateZero()
    {
        int state = 0;
        Assert.Throws<InvalidOperationException>(() => EnforceBenchRounds.Rotate(
            2,
            3,
            s => state = s == 2 ? throw new InvalidOperationException("attach failed") : s,
            () => 1.0));
        Assert.Equal(0, state);
    }
}
