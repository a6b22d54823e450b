using System.Text;

namespace Harrier.Engine.Decoding;

/// <summary>
/// A direct-mapped cache from UTF-8 bytes to strings, so the same path or comm arriving again yields the same
/// string instance without allocating. Entries are replaced on collision. Not thread-safe (one decoder thread).
/// </summary>
internal sealed class StringCache
{
    private readonly Entry[] _entries;
    private readonly int _maxBytes;
    private readonly int _mask;

    /// <param name="size">Entries, a power of two.</param>
    /// <param name="maxBytes">Longer strings are not cached.</param>
    public StringCache(int size = 4096, int maxBytes = 256)
    {
        _entries = new Entry[size];
        _mask = size - 1;
        _maxBytes = maxBytes;
    }

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    /// <summary>The string of <paramref name="utf8"/> (no NUL).</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > _maxBytes)
        {
            Misses++;
            return Encoding.UTF8.GetString(utf8);
        }

        var h = new HashCode();
        h.AddBytes(utf8);
        int slot = h.ToHashCode() & _mask;
        ref var e = ref _entries[slot];
        if (e.Bytes is not null && utf8.SequenceEqual(e.Bytes))
        {
            Hits++;
            return e.Value!;
        }

        Misses++;
        string s = Encoding.UTF8.GetString(utf8);
        e.Bytes = utf8.ToArray();
        e.Value = s;
        return s;
    }

    private struct Entry
    {
        public byte[]? Bytes;
        public string? Value;
    }
}
