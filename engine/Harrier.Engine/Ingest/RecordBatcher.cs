using System.Collections.Concurrent;
using System.Threading.Channels;
using Harrier.Interop.Bpf;

namespace Harrier.Engine.Ingest;

/// <summary>
/// The ring-buffer sink: copies each record into the current <see cref="RecordBatch"/> and hands full batches to a
/// bounded channel. When the channel is full the batch is dropped and its records counted as user-side loss
/// (never blocks the polling thread). Runs on the polling thread only; counters are readable from any thread.
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

    public RecordBatcher(ChannelWriter<RecordBatch> writer, int batchSize)
    {
        _writer = writer;
        _batchSize = batchSize;
        _bufferBytes = Math.Max(64 * 1024, batchSize * 512);
        _current = new RecordBatch(_bufferBytes);
    }

    /// <summary>Records dropped because the decoder fell behind (channel full).</summary>
    public long UserLost => Interlocked.Read(ref _userLost);

    /// <summary>Records that could not be copied (should stay 0).</summary>
    public long SinkFaults => Interlocked.Read(ref _sinkFaults);

    /// <summary>Records taken from the ring buffer.</summary>
    public long Received => Interlocked.Read(ref _received);

    public void OnSample(ReadOnlySpan<byte> sample)
    {
        _received++;
        if (!_current.TryAppend(sample))
        {
            Flush();
            if (!_current.TryAppend(sample))
            {
                Interlocked.Increment(ref _sinkFaults); // larger than a whole batch buffer: cannot happen with the ABI's limits
                return;
            }
        }

        if (_current.Count >= _batchSize)
        {
            Flush();
        }
    }

    public void OnSinkFault(Exception error) => Interlocked.Increment(ref _sinkFaults);

    /// <summary>Hands the current batch over (if any records); called after every poll cycle.</summary>
    public void Flush()
    {
        if (_current.Count == 0)
        {
            return;
        }

        var full = _current;
        _current = _free.TryDequeue(out var b) ? b : new RecordBatch(_bufferBytes);
        if (!_writer.TryWrite(full))
        {
            Interlocked.Add(ref _userLost, full.Count);
            full.Clear();
            _free.Enqueue(full);
        }
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
