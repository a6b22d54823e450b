namespace Harrier.Engine.Bench;

/// <summary>
/// One with/without comparison of <c>harrier bench enforce</c>: nanoseconds per hooked call without the mechanism and
/// with it (medians over the rounds), the paired added cost (<see cref="EnforceBenchMath.PairedAdded"/>) and the ratio
/// with/without. Immutable.
/// </summary>
internal sealed record EnforceBenchComparison(double NsWithout, double NsWith, double NsAdded, double Ratio, int Rounds)
{
    /// <summary>Builds the comparison from per-round ns-per-call samples taken alternately.</summary>
    public static EnforceBenchComparison From(IReadOnlyList<double> without, IReadOnlyList<double> with)
    {
        double a = EnforceBenchMath.Median(without);
        double b = EnforceBenchMath.Median(with);
        return new EnforceBenchComparison(a, b, EnforceBenchMath.PairedAdded(without, with), a > 0 ? b / a : double.NaN, Math.Min(without.Count, with.Count));
    }

    /// <summary>
    /// Builds the comparison from samples taken in phases (all "without" rounds before and after, "with" in between),
    /// for mechanisms that cannot be switched quickly: the added cost is the difference of the medians (unpaired).
    /// </summary>
    public static EnforceBenchComparison FromPhases(IReadOnlyList<double> without, IReadOnlyList<double> with)
    {
        double a = EnforceBenchMath.Median(without);
        double b = EnforceBenchMath.Median(with);
        return new EnforceBenchComparison(a, b, b - a, a > 0 ? b / a : double.NaN, Math.Min(without.Count, with.Count));
    }
}
