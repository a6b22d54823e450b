using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Harrier.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Harrier.Outputs.Spool;

/// <summary>
/// A bounded, append-only, crash-safe queue of alerts on disk: segment files <c>{firstSeq:D20}.seg</c> of records
/// <c>[magic u32][len u32][seq u64][crc32c u32][payload]</c> and a <c>committed</c> file holding the first sequence
/// number not yet acknowledged by the sink.
/// <para>Guarantee: once <see cref="TryAppend"/> returns true the record is in the kernel (write(2) done), so it survives
/// the process being killed (SIGKILL); it survives power loss per <see cref="FsyncPolicy"/>. After a restart, delivery
/// resumes at the last persisted commit point: records acknowledged after that point are sent again (at-least-once; the
/// alert's uuid is the de-duplication key). A torn tail (crash mid-write) is truncated on open; corrupt records are
/// skipped and counted in <see cref="Corrupt"/>.</para>
/// <para>Thread-safety: any number of appending threads; one reader (<see cref="ReadBatch"/>/<see cref="Commit"/>).</para>
/// </summary>
internal sealed partial class AlertSpool : IDisposable
{
    private const uint Magic = 0x31505348; // "HSP1"
    private const int HeaderBytes = 20;
    private const string CommitFile = "committed";
    private const int MaxRecordBytes = 16 << 20;

    private readonly Lock _lock = new();
    private readonly string _dir;
    private readonly SpoolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Segment> _segments = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly byte[] _header = new byte[HeaderBytes];

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_encode;

    private FileStream? _writer;
    private long _nextSeq;
    private long _committed;
    private long _bytes;
    private long _readSeq;
    private long _readSegFirst;
    private long _readOffset;
    private SafeFileHandle? _readHandle;
    private long _readHandleSeg = -1;
    private long _lastSync;
    private bool _unsynced;
    private bool _needRoll;
    private SafeFileHandle? _commitHandle;
    private long _committedOnDisk;
    private byte[] _readBuffer = new byte[64 << 10];
    private bool _disposed;

    private AlertSpool(string dir, SpoolOptions options, TimeProvider time, ILogger logger)
    {
        _dir = dir;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Alerts refused because the spool was full under <see cref="OverflowPolicy.DropNewest"/> (or larger than the bound).</summary>
    public long DroppedNewest { get; private set; }

    /// <summary>Undelivered alerts lost when the oldest segment was deleted under <see cref="OverflowPolicy.DropOldest"/>.</summary>
    public long DroppedOldest { get; private set; }

    /// <summary>Records found corrupt (bad magic, length or CRC) and skipped, plus torn tails truncated at open.</summary>
    public long Corrupt { get; private set; }

    /// <summary>Appends that failed with an I/O error (disk full...): the alert was not spooled.</summary>
    public long WriteErrors { get; private set; }

    /// <summary>Bytes of all segment files.</summary>
    public long Bytes
    {
        get { return Volatile.Read(ref _bytes); }
    }

    /// <summary>Alerts spooled and not yet committed (acknowledged by the sink).</summary>
    public long Pending
    {
        get { lock (_lock) { return _nextSeq - _committed; } }
    }

    /// <summary>Alerts spooled and not yet handed to the reader.</summary>
    public long Unread
    {
        get { lock (_lock) { return _nextSeq - _readSeq; } }
    }

    public long MaxBytes => _options.MaxBytes;

    /// <summary>Opens (creating if needed) the spool in <paramref name="directory"/>, recovering what a previous run left.</summary>
    /// <exception cref="SpoolException">The directory cannot be created, read or written.</exception>
    public static AlertSpool Open(string directory, SpoolOptions options, TimeProvider time, ILogger logger)
    {
        var spool = new AlertSpool(directory, options, time, logger);
        try
        {
            spool.Recover();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            spool.Dispose();
            throw new SpoolException($"spool directory '{directory}' is not usable: {e.Message}", e);
        }

        return spool;
    }

    /// <summary>
    /// Appends one alert. Returns false (and counts it) when the alert could not be spooled: spool full under
    /// drop-newest, or an I/O error. Never throws for I/O problems.
    /// </summary>
    public bool TryAppend(Alert alert)
    {
        ArrayBufferWriter<byte> buf = t_encode ??= new ArrayBufferWriter<byte>(1024);
        buf.ResetWrittenCount();
        buf.GetSpan(HeaderBytes);
        buf.Advance(HeaderBytes);
        AlertCodec.Encode(alert, buf);
        int total = buf.WrittenCount;
        if (total - HeaderBytes > MaxRecordBytes)
        {
            lock (_lock)
            {
                DroppedNewest++;
            }

            return false;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }

            try
            {
                return AppendLocked(buf, total);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteErrors++;
                LogWriteFailed(_logger, _dir, e.Message);
                return false;
            }
        }
    }

    private bool AppendLocked(ArrayBufferWriter<byte> buf, int total)
    {
        if (!MakeRoom(total))
        {
            DroppedNewest++;
            return false;
        }

        Segment seg = _segments[^1];
        if (_needRoll || _writer is null || (seg.Length > 0 && seg.Length + total > _options.SegmentBytes))
        {
            try
            {
                Roll();
            }
            catch (IOException e)
            {
                WriteErrors++;
                LogWriteFailed(_logger, _dir, e.Message);
                return false;
            }

            seg = _segments[^1];
        }

        Span<byte> rec = MemoryMarshalSpan(buf, total);
        long seq = _nextSeq;
        BinaryPrimitives.WriteUInt32LittleEndian(rec, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(rec[4..], total - HeaderBytes);
        BinaryPrimitives.WriteInt64LittleEndian(rec[8..], seq);
        uint crc = Crc32C.Append(Crc32C.Append(0, rec.Slice(8, 8)), rec[HeaderBytes..]);
        BinaryPrimitives.WriteUInt32LittleEndian(rec[16..], crc);
        try
        {
            _writer!.Write(rec);
        }
        catch (IOException e)
        {
            WriteErrors++;
            LogWriteFailed(_logger, _dir, e.Message);

            // The file may now end in a partial record beyond seg.Length (the reader never looks there); later records
            // must start in a clean segment.
            _needRoll = true;
            return false;
        }

        seg.Length += total;
        _bytes += total;
        _nextSeq = seq + 1;
        _unsynced = true;
        SyncIfDueLocked(_options.Fsync == FsyncPolicy.Always);
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }

        return true;
    }

    /// <summary>Waits until something was appended since the last wait (true), or the timeout passes (false).</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);

    /// <summary>fsyncs the write segment if the interval policy says it is due. Called periodically by the sink worker.</summary>
    public void SyncIfDue()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                SyncIfDueLocked(false);
            }
        }
    }

    /// <summary>
    /// Reads up to <paramref name="maxRecords"/> records after the read cursor into <paramref name="into"/>, in sequence order.
    /// Returns the number of records added, or 1 when none were added but the cursor moved (skipped or corrupt records):
    /// 0 means nothing more to read now. Undecodable records are counted in <see cref="Corrupt"/>.
    /// File reads and decoding happen outside the lock (segments are append-only), so appenders are never held up by the
    /// reader. Single reader only.
    /// </summary>
    public int ReadBatch(List<SpoolRecord> into, int maxRecords, int maxBytes = 8 << 20)
    {
        int start = into.Count;
        bool progress = false;
        while (into.Count - start < maxRecords)
        {
            if (ReadChunk(into, maxRecords - (into.Count - start), maxBytes) == 0)
            {
                break;
            }

            progress = true;
        }

        return Math.Max(into.Count - start, progress ? 1 : 0);
    }

    private int ReadChunk(List<SpoolRecord> into, int maxRecords, int maxBytes)
    {
        long segFirst;
        long offset;
        long length;
        long readSeq;
        Segment seg;
        lock (_lock)
        {
            if (_disposed)
            {
                return 0;
            }

            while (true)
            {
                int idx = SegmentIndex(_readSegFirst);
                if (idx < 0)
                {
                    // The segment was dropped (overflow): continue at the oldest remaining one.
                    _readSegFirst = _segments[0].FirstSeq;
                    _readOffset = 0;
                    continue;
                }

                seg = _segments[idx];
                if (_readOffset + HeaderBytes <= seg.Length)
                {
                    break;
                }

                if (idx == _segments.Count - 1)
                {
                    return 0;
                }

                _readSegFirst = _segments[idx + 1].FirstSeq;
                _readOffset = 0;
            }

            segFirst = seg.FirstSeq;
            offset = _readOffset;
            length = seg.Length;
            readSeq = _readSeq;
        }

        // Outside the lock: bytes below the snapshot length never change.
        int chunk = (int)Math.Min(length - offset, maxBytes);
        if (_readBuffer.Length < chunk)
        {
            _readBuffer = new byte[Math.Max(chunk, _readBuffer.Length * 2)];
        }

        SafeFileHandle handle = ReadHandle(seg);
        int n = ReadFully(handle, _readBuffer.AsSpan(0, chunk), offset);
        var raw = new List<(long Seq, int Offset, int Length)>(Math.Min(maxRecords, 4096));
        int pos = 0;
        long lastSeq = -1;
        bool corrupt = false;
        while (raw.Count < maxRecords && pos + HeaderBytes <= n)
        {
            ReadOnlySpan<byte> h = _readBuffer.AsSpan(pos, HeaderBytes);
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(h);
            int len = BinaryPrimitives.ReadInt32LittleEndian(h[4..]);
            long seq = BinaryPrimitives.ReadInt64LittleEndian(h[8..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
            if (magic != Magic || len < 0 || len > MaxRecordBytes || offset + pos + HeaderBytes + len > length)
            {
                corrupt = true;
                break;
            }

            if (pos + HeaderBytes + len > n)
            {
                if (pos == 0)
                {
                    // One record larger than the chunk: read exactly it.
                    _readBuffer = new byte[HeaderBytes + len];
                    return ReadChunk(into, maxRecords, HeaderBytes + len);
                }

                break;
            }

            if (Crc32C.Append(Crc32C.Append(0, h.Slice(8, 8)), _readBuffer.AsSpan(pos + HeaderBytes, len)) != crc)
            {
                corrupt = true;
                break;
            }

            if (seq >= readSeq)
            {
                raw.Add((seq, pos + HeaderBytes, len));
                lastSeq = seq;
            }

            pos += HeaderBytes + len;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return 0;
            }

            if (_readSegFirst != segFirst || _readOffset != offset)
            {
                // Overflow moved the cursor while we read: forget this read, the next call starts at the new cursor.
                return 1;
            }

            _readOffset = offset + pos;
            if (lastSeq >= 0)
            {
                _readSeq = Math.Max(_readSeq, lastSeq + 1);
            }

            if (corrupt)
            {
                int idx = SegmentIndex(segFirst);
                if (idx >= 0)
                {
                    SkipCorruptRest(idx, _segments[idx]);
                }
            }
        }

        int added = 0;
        foreach ((long seq, int off, int len) in raw)
        {
            try
            {
                into.Add(new SpoolRecord(seq, AlertCodec.Decode(_readBuffer.AsSpan(off, len))));
                added++;
            }
            catch (FormatException e)
            {
                lock (_lock)
                {
                    Corrupt++;
                }

                LogCorrupt(_logger, _dir, seq, e.Message);
            }
        }

        return Math.Max(added, pos > 0 || corrupt ? 1 : 0);
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>
    /// Records that every alert with a sequence number below <paramref name="upToExclusive"/> was delivered (or given up on
    /// and counted). Fully delivered segments are deleted; the commit point is persisted at once (one pwrite).
    /// </summary>
    public void Commit(long upToExclusive)
    {
        lock (_lock)
        {
            if (_disposed || upToExclusive <= _committed)
            {
                return;
            }

            _committed = Math.Min(upToExclusive, _nextSeq);
            while (_segments.Count > 1 && _segments[1].FirstSeq <= _committed)
            {
                DeleteSegment(0);
            }

            WriteCommitted();
        }
    }

    /// <summary>Moves the read cursor back to the commit point so everything not yet committed is read again.</summary>
    public void Rewind()
    {
        lock (_lock)
        {
            _readSeq = _committed;
            _readSegFirst = SegmentFor(_committed).FirstSeq;
            _readOffset = 0;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                if (_writer is not null)
                {
                    if (_options.Fsync != FsyncPolicy.Never)
                    {
                        _writer.Flush(flushToDisk: true);
                    }

                    _writer.Dispose();
                }

                if (_segments.Count > 0)
                {
                    WriteCommitted(sync: _options.Fsync != FsyncPolicy.Never);
                }
            }
            catch (IOException e)
            {
                LogWriteFailed(_logger, _dir, e.Message);
            }

            _readHandle?.Dispose();
            _commitHandle?.Dispose();
        }
    }

    private static Span<byte> MemoryMarshalSpan(ArrayBufferWriter<byte> buf, int total)
        => System.Runtime.InteropServices.MemoryMarshal.AsMemory(buf.WrittenMemory).Span[..total];

    private void Recover()
    {
        Directory.CreateDirectory(_dir);
        var firsts = new List<long>();
        foreach (string path in Directory.EnumerateFiles(_dir, "*.seg"))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long first))
            {
                firsts.Add(first);
            }
        }

        firsts.Sort();
        long committed = ReadCommitted();
        foreach (long first in firsts)
        {
            string path = SegmentPath(first);
            _segments.Add(new Segment(first, path, new FileInfo(path).Length));
        }

        if (_segments.Count == 0)
        {
            long start = Math.Max(committed, 0);
            _segments.Add(new Segment(start, SegmentPath(start), 0));
            File.WriteAllBytes(SegmentPath(start), []);
            _nextSeq = start;
        }
        else
        {
            _nextSeq = RecoverTail(_segments[^1]);
        }

        _committed = Math.Clamp(committed, _segments[0].FirstSeq, _nextSeq);
        while (_segments.Count > 1 && _segments[1].FirstSeq <= _committed)
        {
            DeleteSegment(0);
        }

        foreach (Segment s in _segments)
        {
            _bytes += s.Length;
        }

        _writer = new FileStream(_segments[^1].Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        _readSeq = _committed;
        _readSegFirst = SegmentFor(_committed).FirstSeq;
        _readOffset = 0;
        _lastSync = _time.GetTimestamp();
        _committedOnDisk = committed;
        WriteCommitted();
        if (_nextSeq > _committed)
        {
            LogRecovered(_logger, _dir, _nextSeq - _committed, _committed);
            _signal.Release();
        }

        // Prove the directory is writable now rather than at the first alert.
        string probe = Path.Combine(_dir, ".probe");
        File.WriteAllBytes(probe, [1]);
        File.Delete(probe);
    }

    /// <summary>Validates the last segment record by record, truncating a torn or corrupt tail. Returns the next sequence number.</summary>
    private long RecoverTail(Segment seg)
    {
        long next = seg.FirstSeq;
        long offset = 0;
        using (SafeFileHandle h = File.OpenHandle(seg.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            byte[] payload = new byte[4096];
            while (offset + HeaderBytes <= seg.Length)
            {
                RandomAccess.Read(h, _header, offset);
                uint magic = BinaryPrimitives.ReadUInt32LittleEndian(_header);
                int len = BinaryPrimitives.ReadInt32LittleEndian(_header.AsSpan(4));
                long seq = BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(8));
                uint crc = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(16));
                if (magic != Magic || len < 0 || len > MaxRecordBytes || offset + HeaderBytes + len > seg.Length || seq < next)
                {
                    break;
                }

                if (payload.Length < len)
                {
                    payload = new byte[len];
                }

                RandomAccess.Read(h, payload.AsSpan(0, len), offset + HeaderBytes);
                if (Crc32C.Append(Crc32C.Append(0, _header.AsSpan(8, 8)), payload.AsSpan(0, len)) != crc)
                {
                    break;
                }

                offset += HeaderBytes + len;
                next = seq + 1;
            }
        }

        if (offset < seg.Length)
        {
            Corrupt++;
            LogTornTail(_logger, seg.Path, seg.Length - offset);
            using var fs = new FileStream(seg.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            fs.SetLength(offset);
            seg.Length = offset;
        }

        return next;
    }

    private bool MakeRoom(int total)
    {
        if (_bytes + total <= _options.MaxBytes)
        {
            return true;
        }

        if (_options.Overflow == OverflowPolicy.DropNewest)
        {
            return false;
        }

        while (_bytes + total > _options.MaxBytes)
        {
            if (_segments.Count == 1)
            {
                if (_segments[0].Length == 0)
                {
                    return false;
                }

                Roll();
            }

            Segment oldest = _segments[0];
            long nextFirst = _segments[1].FirstSeq;
            long lost = nextFirst - Math.Max(_committed, oldest.FirstSeq);
            if (lost > 0)
            {
                DroppedOldest += lost;
            }

            _committed = Math.Max(_committed, nextFirst);
            if (_readSeq < nextFirst)
            {
                _readSeq = nextFirst;
            }

            DeleteSegment(0);
            WriteCommitted();
        }

        return true;
    }

    private void Roll()
    {
        if (_writer is not null && _options.Fsync != FsyncPolicy.Never && !_needRoll)
        {
            _writer.Flush(flushToDisk: true);
        }

        _writer?.Dispose();
        _writer = null;
        Segment current = _segments[^1];
        if (current.FirstSeq == _nextSeq)
        {
            // No record in the current segment (only after a failed write): start it again, empty.
            _writer = new FileStream(current.Path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            _bytes -= current.Length;
            current.Length = 0;
        }
        else
        {
            var seg = new Segment(_nextSeq, SegmentPath(_nextSeq), 0);
            _writer = new FileStream(seg.Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            _segments.Add(seg);
        }

        _needRoll = false;
        _unsynced = false;
        _lastSync = _time.GetTimestamp();
    }

    private void DeleteSegment(int index)
    {
        Segment seg = _segments[index];
        if (_readSegFirst == seg.FirstSeq && index + 1 < _segments.Count)
        {
            _readSegFirst = _segments[index + 1].FirstSeq;
            _readOffset = 0;
        }

        try
        {
            File.Delete(seg.Path);
        }
        catch (IOException e)
        {
            LogWriteFailed(_logger, seg.Path, e.Message);
        }

        _bytes -= seg.Length;
        _segments.RemoveAt(index);
    }

    private void SkipCorruptRest(int idx, Segment seg)
    {
        long nextFirst = idx + 1 < _segments.Count ? _segments[idx + 1].FirstSeq : _nextSeq;
        long lost = Math.Max(1, nextFirst - _readSeq);
        Corrupt += lost;
        LogCorrupt(_logger, seg.Path, _readSeq, $"skipping the rest of the segment ({lost} alerts)");
        _readOffset = seg.Length;
        if (idx + 1 < _segments.Count)
        {
            _readSeq = Math.Max(_readSeq, nextFirst);
        }
    }

    private SafeFileHandle ReadHandle(Segment seg)
    {
        if (_readHandleSeg != seg.FirstSeq || _readHandle is null)
        {
            _readHandle?.Dispose();
            _readHandle = File.OpenHandle(seg.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _readHandleSeg = seg.FirstSeq;
        }

        return _readHandle;
    }

    private void SyncIfDueLocked(bool force)
    {
        if (!_unsynced || _writer is null || _options.Fsync == FsyncPolicy.Never)
        {
            return;
        }

        long now = _time.GetTimestamp();
        if (force || _time.GetElapsedTime(_lastSync, now) >= TimeSpan.FromMilliseconds(_options.FsyncIntervalMs))
        {
            try
            {
                _writer.Flush(flushToDisk: true);
                _unsynced = false;
                _lastSync = now;
            }
            catch (IOException e)
            {
                LogWriteFailed(_logger, _dir, e.Message);
            }
        }
    }

    private int SegmentIndex(long first)
    {
        for (int i = 0; i < _segments.Count; i++)
        {
            if (_segments[i].FirstSeq == first)
            {
                return i;
            }
        }

        return -1;
    }

    private Segment SegmentFor(long seq)
    {
        Segment found = _segments[0];
        foreach (Segment s in _segments)
        {
            if (s.FirstSeq <= seq)
            {
                found = s;
            }
        }

        return found;
    }

    private long ReadCommitted()
    {
        string path = Path.Combine(_dir, CommitFile);
        if (!File.Exists(path))
        {
            return 0;
        }

        byte[] b = File.ReadAllBytes(path);
        if (b.Length != 12 || Crc32C.Append(0, b.AsSpan(0, 8)) != BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)))
        {
            Corrupt++;
            LogCorrupt(_logger, path, 0, "commit file unreadable; redelivering from the oldest segment");
            return 0;
        }

        return BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    /// <summary>
    /// Persists the commit point: one 12-byte pwrite at offset 0 of the open <c>committed</c> file ([seq u64][crc32c u32]),
    /// cheap enough for every batch. A torn write is detected by the CRC and falls back to redelivering everything spooled
    /// (duplicates, never loss). fsync'd only under <see cref="FsyncPolicy.Always"/> and at dispose.
    /// </summary>
    private void WriteCommitted(bool sync = false)
    {
        if (_committed == _committedOnDisk && _commitHandle is not null && !sync)
        {
            return;
        }

        Span<byte> b = stackalloc byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(b, _committed);
        BinaryPrimitives.WriteUInt32LittleEndian(b[8..], Crc32C.Append(0, b[..8]));
        string path = Path.Combine(_dir, CommitFile);
        try
        {
            _commitHandle ??= File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
            RandomAccess.Write(_commitHandle, b, 0);
            if (sync || _options.Fsync == FsyncPolicy.Always)
            {
                RandomAccess.FlushToDisk(_commitHandle);
            }

            _committedOnDisk = _committed;
        }
        catch (IOException e)
        {
            LogWriteFailed(_logger, path, e.Message);
        }
    }

    private string SegmentPath(long first) => Path.Combine(_dir, first.ToString("D20", CultureInfo.InvariantCulture) + ".seg");

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Spool {Path}: write failed: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Spool {Path}: corrupt record at seq {Seq}: {Reason}")]
    private static partial void LogCorrupt(ILogger logger, string path, long seq, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Spool segment {Path}: truncated a torn tail of {Bytes} bytes")]
    private static partial void LogTornTail(ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Spool {Path}: recovered {Count} undelivered alerts from seq {Seq}")]
    private static partial void LogRecovered(ILogger logger, string path, long count, long seq);

    private sealed class Segment(long firstSeq, string path, long length)
    {
        public long FirstSeq { get; } = firstSeq;

        public string Path { get; } = path;

        public long Length { get; set; } = length;
    }
}
