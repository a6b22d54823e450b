namespace Harrier.Outputs;

/// <summary>Per-rule token bucket of one sink: at most <see cref="Burst"/> alerts at once, refilled at <see cref="PerRulePerSecond"/>.</summary>
public sealed record RateLimitOptions
{
    public double PerRulePerSecond { get; init; } = 10;

    public int Burst { get; init; } = 20;
}
