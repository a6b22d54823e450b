using System.Collections.Concurrent;
using System.Threading.Channels;
using Harrier.Interop.Bpf;

namespace Harrier.Engine.Ingest;

/// <summary>
/// The ring-buffer sink: copies each record into the current <see cref="RecordBatch"/> and hands full batches to a
/// bounded channel. When the channel is full nothing is dropped here: the batch in hand is kept and further records
/// are refused, so they stay in the kernel's ring buffer (back-pressure). Overload then shows where it can be handled
/// by value and counted per event type: the probes shed low-value classes past <c>Probes:ShedAtPercent</c> and count
/// what finds the ring full. User-side loss is only what <see cref="DropPending"/> gives up at shutdown.
/// Runs on the polling thread only; counters are readable from any thread.
/// No allocation per record: batches and their pooled buffers are recycled through <see cref="Return"/>.
/// </summary>
internal sealed class RecordBatcher : IRingBufferSink
{
    private readonly ChannelWriter<RecordBatch> _writer;
    private readonly ConcurrentQueue<RecordBatch> _free = new();
    private readonly int _batchSize;
    private readonly int _bufferBytes;
    private RecordBatch _current;
    private long _userLost;
    private long _sinkFaults;
    private long _received;
    private long _backPressure;

    public RecordBatcher(ChannelWriter<RecordBatch> writer, int batchSize)
    {
        _writer = writer;
        _batchSize = batchSize;
        _bufferBytes = Math.Max(64 * 1024, batchSize * 512);
        _current = new RecordBatch(_bufferBytes);
    }

    /// <summary>Records taken from the ring but never delivered (given up at shutdown by <see cref="DropPending"/>).</summary>
    public long UserLost => Interlocked.Read(ref _userLost);

    /// <summary>Records that could not be copied (should stay 0).</summary>
    public long SinkFaults => Interlocked.Read(ref _sinkFaults);

    /// <summary>Records taken from the ring buffer.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Times a record was left in the ring because the decoder was behind.</summary>
    public long BackPressureEvents => Interlocked.Read(ref _backPressure);

    /// <summary>A batch is waiting for room in the channel.</summary>
    public bool Blocked => _current.Count >= _batchSize;

    public bool OnSample(ReadOnlySpan<byte> sample)
    {
        if (_current.Count >= _batchSize && !TryHandOver())
        {
            Interlocked.Increment(ref _backPressure);
            return false;
        }

        if (!_current.TryAppend(sample))
        {
            if (!TryHandOver())
            {
                Interlocked.Increment(ref _backPressure);
                return false;
            }

            if (!_current.TryAppend(sample))
            {
                _received++;
                Interlocked.Increment(ref _sinkFaults); // larger than a whole batch buffer: cannot happen with the ABI's limits
                return true;
            }
        }

        _received++;
        if (_current.Count >= _batchSize)
        {
            TryHandOver(); // when the channel is full the batch stays here and the next record is refused
        }

        return true;
    }

    public void OnSinkFault(Exception error) => Interlocked.Increment(ref _sinkFaults);

    /// <summary>Hands the current batch over (if any records); called after every poll cycle. False when the channel
    /// is full: the batch stays and is offered again next time.</summary>
    public bool Flush() => TryHandOver();

    /// <summary>Shutdown: what could not be handed over is counted as user-side loss.</summary>
    public void DropPending()
    {
        if (_current.Count > 0 && !TryHandOver())
        {
            Interlocked.Add(ref _userLost, _current.Count);
            _current.Clear();
        }
    }

    private bool TryHandOver()
    {
        if (_current.Count == 0)
        {
            return true;
        }

        if (!_writer.TryWrite(_current))
        {
            return false;
        }

        _current = _free.TryDequeue(out var b) ? b : new RecordBatch(_bufferBytes);
        return true;
    }

    /// <summary>Gives a processed batch back for reuse (decoder thread).</summary>
    public void Return(RecordBatch batch)
    {
        batch.Clear();
        _free.Enqueue(batch);
    }

    /// <summary>Returns every pooled buffer (after both threads stopped).</summary>
    public void ReleaseAll()
    {
        _current.Release();
        while (_free.TryDequeue(out var b))
        {
            b.Release();
        }
    }
}
