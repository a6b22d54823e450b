using Harrier.Interop;

namespace Harrier.Engine.Decoding;

/// <summary>
/// Converts kernel boot-time nanoseconds (<c>bpf_ktime_get_boot_ns</c>) to wall-clock ns since the Unix epoch by
/// an offset sampled from CLOCK_REALTIME - CLOCK_BOOTTIME, refreshed on demand (clock steps, NTP slew).
/// Not thread-safe (one decoder thread).
/// </summary>
internal sealed class BootClock
{
    private readonly bool _fixed;
    private long _offset;

    public BootClock() => Refresh();

    /// <summary>A fixed offset (tests, replay of recorded captures); <see cref="Refresh"/> keeps it.</summary>
    public BootClock(long offsetNs)
    {
        _offset = offsetNs;
        _fixed = true;
    }

    public long OffsetNs => _offset;

    /// <summary>Samples the offset again.</summary>
    public void Refresh()
    {
        if (_fixed)
        {
            return;
        }

        long best = long.MaxValue, offset = 0;
        for (int i = 0; i < 3; i++)
        {
            long b1 = Posix.BoottimeNs();
            long r = Posix.RealtimeNs();
            long b2 = Posix.BoottimeNs();
            if (b2 - b1 < best)
            {
                best = b2 - b1;
                offset = r - (b1 + ((b2 - b1) / 2));
            }
        }

        _offset = offset;
    }

    public long ToWallNs(ulong bootNs) => (long)bootNs + _offset;
}
