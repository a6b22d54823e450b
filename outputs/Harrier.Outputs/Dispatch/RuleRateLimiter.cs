namespace Harrier.Outputs.Dispatch;

/// <summary>Token bucket per rule name. Thread-safe; bounded to 65536 rules (then resets, failing open for a moment).</summary>
internal sealed class RuleRateLimiter(RateLimitOptions options, TimeProvider time)
{
    private const int MaxRules = 65536;
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool TryAcquire(string rule)
    {
        long now = time.GetTimestamp();
        lock (_lock)
        {
            if (!_buckets.TryGetValue(rule, out Bucket? b))
            {
                if (_buckets.Count >= MaxRules)
                {
                    _buckets.Clear();
                }

                b = new Bucket { Tokens = options.Burst, Last = now };
                _buckets[rule] = b;
            }
            else
            {
                double refill = time.GetElapsedTime(b.Last, now).TotalSeconds * options.PerRulePerSecond;
                b.Tokens = Math.Min(options.Burst, b.Tokens + refill);
                b.Last = now;
            }

            if (b.Tokens >= 1)
            {
                b.Tokens -= 1;
                return true;
            }

            return false;
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long Last;
    }
}
