namespace Harrier.Outputs.Formatting;

/// <summary>Renders Unix-epoch nanosecond times as RFC 3339 UTC with nine fractional digits. Allocation-free. Thread-safe.</summary>
public static class AlertTime
{
    /// <summary>Characters written by <see cref="FormatRfc3339"/>: <c>yyyy-MM-ddTHH:mm:ss.nnnnnnnnnZ</c>.</summary>
    public const int Rfc3339Length = 30;

    /// <summary>Writes e.g. <c>2026-11-25T08:00:00.123456789Z</c> into <paramref name="destination"/> (at least 30 bytes).</summary>
    public static int FormatRfc3339(long timeNs, Span<byte> destination)
    {
        Split(timeNs, out DateTime utc, out long nanos);
        Span<byte> d = destination[..Rfc3339Length];
        Digits(d[..4], utc.Year);
        d[4] = (byte)'-';
        Digits(d.Slice(5, 2), utc.Month);
        d[7] = (byte)'-';
        Digits(d.Slice(8, 2), utc.Day);
        d[10] = (byte)'T';
        Clock(d.Slice(11, 18), utc, nanos);
        d[29] = (byte)'Z';
        return Rfc3339Length;
    }

    /// <summary>The RFC 3339 string (allocates; for tests and cold paths).</summary>
    public static string ToRfc3339(long timeNs)
    {
        Span<byte> buf = stackalloc byte[Rfc3339Length];
        FormatRfc3339(timeNs, buf);
        return System.Text.Encoding.ASCII.GetString(buf);
    }

    /// <summary>Writes Falco's console clock <c>HH:MM:SS.nnnnnnnnn</c> (18 bytes).</summary>
    public static int FormatClock(long timeNs, Span<byte> destination)
    {
        Split(timeNs, out DateTime utc, out long nanos);
        Clock(destination[..18], utc, nanos);
        return 18;
    }

    /// <summary>Milliseconds since the epoch (OCSF <c>time</c>).</summary>
    public static long ToUnixMilliseconds(long timeNs) => Math.DivRem(timeNs, 1_000_000L, out long rem) - (rem < 0 ? 1 : 0);

    private static void Split(long timeNs, out DateTime utc, out long nanos)
    {
        long seconds = Math.DivRem(timeNs, 1_000_000_000L, out nanos);
        if (nanos < 0)
        {
            nanos += 1_000_000_000L;
            seconds--;
        }

        seconds = Math.Clamp(seconds, -62135596800L, 253402300799L);
        utc = DateTime.UnixEpoch.AddSeconds(seconds);
    }

    private static void Clock(Span<byte> d, DateTime utc, long nanos)
    {
        Digits(d[..2], utc.Hour);
        d[2] = (byte)':';
        Digits(d.Slice(3, 2), utc.Minute);
        d[5] = (byte)':';
        Digits(d.Slice(6, 2), utc.Second);
        d[8] = (byte)'.';
        Digits(d.Slice(9, 9), nanos);
    }

    private static void Digits(Span<byte> d, long value)
    {
        for (int i = d.Length - 1; i >= 0; i--)
        {
            d[i] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
    }
}
