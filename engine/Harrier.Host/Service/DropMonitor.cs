using Harrier.Engine.Diagnostics;
using Harrier.Events;

namespace Harrier.Host.Service;

/// <summary>
/// Decides when lost events deserve an internal alert (the <c>Drops</c> section). Called once per window with the
/// cumulative probe counters: a window whose losses (kernel and user side) exceed <see cref="DropAlertOptions.AlertShare"/>
/// of its events is counted; an alert naming the event classes, types and counts goes out at most once per
/// <see cref="DropAlertOptions.AlertIntervalSeconds"/>, carrying every counted window since the previous one (so a
/// rate-limited burst is reported when the interval has passed, even if the host has calmed down by then).
/// Not thread-safe: one caller (the window timer).
/// </summary>
internal sealed class DropMonitor
{
    private readonly DropAlertOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<EventType, ulong> _pendingPerType = new();
    private Dictionary<EventType, ulong> _lastPerType = new();
    private ulong _lastLost;
    private long _lastReceived;
    private long _lastUserLost;
    private long _pendingUserLost;
    private long _pendingLost;
    private double _worstShare;
    private long? _lastAlert;

    public DropMonitor(DropAlertOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Takes one window's counters (cumulative since start); returns the alert's lost count and
    /// description when one is due, else null.</summary>
    public (long Lost, string Where)? Observe(ProbeStats s)
    {
        ulong lost = s.TotalLost - _lastLost;
        long received = s.Received - _lastReceived;
        long userLost = s.UserLost - _lastUserLost;
        var perType = s.KernelLostPerType.ToDictionary(kv => kv.Key, kv => kv.Value);
        var delta = perType.Select(kv => (kv.Key, Value: kv.Value - _lastPerType.GetValueOrDefault(kv.Key))).Where(kv => kv.Value > 0).ToList();
        _lastLost = s.TotalLost;
        _lastReceived = s.Received;
        _lastUserLost = s.UserLost;
        _lastPerType = perType;

        double share = lost == 0 ? 0 : (double)lost / Math.Max(1, received + (long)lost);
        if (share > _options.AlertShare)
        {
            _pendingLost += (long)lost;
            _pendingUserLost += Math.Max(0, userLost);
            _worstShare = Math.Max(_worstShare, share);
            foreach (var (t, n) in delta)
            {
                _pendingPerType[t] = _pendingPerType.GetValueOrDefault(t) + n;
            }
        }

        if (_pendingLost == 0)
        {
            return null;
        }

        long now = _time.GetTimestamp();
        if (_lastAlert is { } last && _time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(_options.AlertIntervalSeconds))
        {
            return null; // rate-limited: counted into the next alert
        }

        string where = string.Join(", ", _pendingPerType.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(8)
            .Select(kv => $"{EventTypes.ClassOf(kv.Key).ToString().ToLowerInvariant()}/{EventTypes.Name(kv.Key)}={kv.Value}"));
        if (_pendingUserLost > 0)
        {
            where = where.Length > 0 ? $"{where}, user-space={_pendingUserLost}" : $"user-space={_pendingUserLost}";
        }

        var result = (_pendingLost, $"{where} (up to {_worstShare:P2} of a {_options.WindowSeconds} s window)");
        _lastAlert = now;
        _pendingLost = 0;
        _pendingUserLost = 0;
        _worstShare = 0;
        _pendingPerType.Clear();
        return result;
    }
}
