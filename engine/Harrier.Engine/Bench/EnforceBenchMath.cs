namespace Harrier.Engine.Bench;

/// <summary>
/// The arithmetic of <c>harrier bench enforce</c>, kept pure so it is unit-tested: per-operation costs from counts and
/// elapsed time, medians, nearest-rank percentiles and the paired "added cost" of alternating with/without rounds.
/// Thread-safe (no state). Empty inputs give <see cref="double.NaN"/>, never an exception.
/// </summary>
internal static class EnforceBenchMath
{
    /// <summary>Nanoseconds per call: <paramref name="elapsedNs"/> / (<paramref name="operations"/> × <paramref name="callsPerOperation"/>); NaN when nothing ran.</summary>
    public static double NsPerCall(long operations, double elapsedNs, int callsPerOperation = 1) =>
        operations <= 0 || callsPerOperation <= 0 || elapsedNs <= 0 ? double.NaN : elapsedNs / ((double)operations * callsPerOperation);

    /// <summary>The median (mean of the two middle values for an even count); NaN values are ignored.</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.Where(x => !double.IsNaN(x)).Order().ToArray();
        if (v.Length == 0)
        {
            return double.NaN;
        }

        int mid = v.Length / 2;
        return v.Length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /// <summary>
    /// Nearest-rank percentile (<paramref name="p"/> in 0..100): the smallest value with at least p% of the values at or
    /// below it, so p99 of 200 samples is the 198th smallest. p = 0 gives the minimum. NaN for no values.
    /// </summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        var v = values.Where(x => !double.IsNaN(x)).Order().ToArray();
        if (v.Length == 0)
        {
            return double.NaN;
        }

        int rank = (int)Math.Ceiling(p / 100 * v.Length);
        return v[Math.Clamp(rank - 1, 0, v.Length - 1)];
    }

    /// <summary>
    /// The added cost of a mechanism from alternating rounds: the median over i of
    /// <c>with[i] - without[i]</c> (rounds i run back to back, so load drifting on a busy machine cancels out).
    /// Pairs with a NaN side are skipped; the lists are paired up to the shorter length. Negative results are kept:
    /// they mean the cost is below the noise.
    /// </summary>
    public static double PairedAdded(IReadOnlyList<double> without, IReadOnlyList<double> with)
    {
        ArgumentNullException.ThrowIfNull(without);
        ArgumentNullException.ThrowIfNull(with);
        int n = Math.Min(without.Count, with.Count);
        var diffs = new List<double>(n);
        for (int i = 0; i < n; i++)
        {
            if (!double.IsNaN(without[i]) && !double.IsNaN(with[i]))
            {
                diffs.Add(with[i] - without[i]);
            }
        }

        return Median(diffs);
    }

    /// <summary>Rounds for JSON: null for NaN/infinity, else <paramref name="digits"/> decimals.</summary>
    public static double? ForJson(double value, int digits = 1) =>
        double.IsFinite(value) ? Math.Round(value, digits) : null;
}
