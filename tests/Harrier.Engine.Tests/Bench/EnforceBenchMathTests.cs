using Harrier.Engine.Bench;

namespace Harrier.Engine.Tests.Bench;

/// <summary>The pure arithmetic of <c>harrier bench enforce</c>: per-call costs, medians, percentiles, paired added cost.</summary>
public sealed class EnforceBenchMathTests
{
    [Fact]
    public void NsPerCall_TwoCallsPerOperation_DividesByBoth()
    {
        Assert.Equal(250.0, EnforceBenchMath.NsPerCall(operations: 1_000, elapsedNs: 500_000, callsPerOperation: 2));
        Assert.Equal(500.0, EnforceBenchMath.NsPerCall(1_000, 500_000));
    }

    [Theory]
    [InlineData(0, 100, 1)]
    [InlineData(10, 0, 1)]
    [InlineData(10, 100, 0)]
    [InlineData(-5, 100, 1)]
    public void NsPerCall_NothingMeasured_IsNaN(long ops, double ns, int calls) =>
        Assert.True(double.IsNaN(EnforceBenchMath.NsPerCall(ops, ns, calls)));

    [Fact]
    public void Median_OddAndEvenCounts_MiddleOrMeanOfMiddles()
    {
        Assert.Equal(3.0, EnforceBenchMath.Median([5, 1, 3]));
        Assert.Equal(2.5, EnforceBenchMath.Median([4, 1, 3, 2]));
        Assert.Equal(7.0, EnforceBenchMath.Median([7]));
    }

    [Fact]
    public void Median_NaNValuesIgnoredAndEmptyIsNaN()
    {
        Assert.Equal(2.0, EnforceBenchMath.Median([double.NaN, 1, 3, double.NaN]));
        Assert.True(double.IsNaN(EnforceBenchMath.Median([])));
        Assert.True(double.IsNaN(EnforceBenchMath.Median([double.NaN])));
    }

    [Fact]
    public void Percentile_NearestRankOf200Samples_P99IsThe198thSmallest()
    {
        // 1..200 shuffled: p50 is the 100th smallest, p99 the 198th, p100 the maximum
        var values = Enumerable.Range(1, 200).Select(i => (double)i).OrderBy(v => (v * 7919) % 200).ToList();
        Assert.Equal(100.0, EnforceBenchMath.Percentile(values, 50));
        Assert.Equal(198.0, EnforceBenchMath.Percentile(values, 99));
        Assert.Equal(200.0, EnforceBenchMath.Percentile(values, 100));
        Assert.Equal(1.0, EnforceBenchMath.Percentile(values, 0));
    }

    [Fact]
    public void Percentile_SmallSample_P99IsTheMaximum()
    {
        Assert.Equal(9.0, EnforceBenchMath.Percentile([1, 9, 2, 3], 99));
        Assert.Equal(2.0, EnforceBenchMath.Percentile([1, 9, 2, 3], 50));
    }

    [Fact]
    public void Percentile_OutOfRangeP_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EnforceBenchMath.Percentile([1.0], 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => EnforceBenchMath.Percentile([1.0], -1));
        Assert.True(double.IsNaN(EnforceBenchMath.Percentile([], 50)));
    }

    [Fact]
    public void PairedAdded_DriftingLoad_RecoversConstantCost()
    {
        // the machine slows down over the run while the mechanism always adds 30 ns: each round's pair sees the same
        // load, so the paired difference is exactly the mechanism's cost
        double[] without = [1000, 1100, 1200, 1300, 5000];
        double[] with = [1030, 1130, 1230, 1330, 5030];
        Assert.Equal(30.0, EnforceBenchMath.PairedAdded(without, with), precision: 9);
    }

    [Fact]
    public void PairedAdded_OutlierRound_MedianResists()
    {
        double[] without = [1000, 1000, 1000, 1000, 1000];
        double[] with = [1040, 1050, 9000, 1045, 1035];
        Assert.Equal(45.0, EnforceBenchMath.PairedAdded(without, with));
    }

    [Fact]
    public void PairedAdded_UnequalLengthsAndNaN_PairsWhatExists()
    {
        Assert.Equal(-5.0, EnforceBenchMath.PairedAdded([100, double.NaN, 100], [95, 500]));
        Assert.True(double.IsNaN(EnforceBenchMath.PairedAdded([], [1])));
    }

    [Fact]
    public void Comparison_From_MediansRatioAndPairedAdded()
    {
        var c = EnforceBenchComparison.From([100, 110, 90], [150, 160, 140]);
        Assert.Equal(100.0, c.NsWithout);
        Assert.Equal(150.0, c.NsWith);
        Assert.Equal(50.0, c.NsAdded);
        Assert.Equal(1.5, c.Ratio);
        Assert.Equal(3, c.Rounds);
    }

    [Fact]
    public void ForJson_NonFinite_IsNullElseRounded()
    {
        Assert.Null(EnforceBenchMath.ForJson(double.NaN));
        Assert.Null(EnforceBenchMath.ForJson(double.PositiveInfinity));
        Assert.Equal(12.35, EnforceBenchMath.ForJson(12.3456, 2));
    }
}
