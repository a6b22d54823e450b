using System.Threading.Channels;
using Harrier.Engine.Ingest;

namespace Harrier.Engine.Tests.Decoding;

public sealed class RecordBatcherTests
{
    [Fact]
    public void OnSample_ChannelFull_RefusesRecordsAndLosesNone()
    {
        var channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.Wait });
        var batcher = new RecordBatcher(channel.Writer, batchSize: 2);
        var taken = Enumerable.Range(0, 6).Select(_ => batcher.OnSample(new byte[32])).ToArray();

        // first batch of 2 queued, the second batch of 2 waits in hand, then records are left in the ring
        Assert.Equal(new[] { true, true, true, true, false, false }, taken);
        Assert.Equal(0, batcher.UserLost);
        Assert.Equal(4, batcher.Received);
        Assert.Equal(2, batcher.BackPressureEvents);
        Assert.True(batcher.Blocked);
        Assert.False(batcher.Flush());

        Assert.True(channel.Reader.TryRead(out var b));
        Assert.Equal(2, b!.Count);
        Assert.True(batcher.OnSample(new byte[32])); // room again: the waiting batch goes, the record is taken
        Assert.True(channel.Reader.TryRead(out var b2));
        Assert.Equal(2, b2!.Count);
        Assert.Equal(5, batcher.Received);
    }

    [Fact]
    public void Flush_ChannelFull_PartialBatchKeptAndOfferedAgain()
    {
        var channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.Wait });
        var batcher = new RecordBatcher(channel.Writer, batchSize: 100);
        batcher.OnSample([1]);
        Assert.True(batcher.Flush());
        batcher.OnSample([2]);
        batcher.OnSample([3]);
        Assert.False(batcher.Flush()); // channel full: kept, not dropped
        Assert.Equal(0, batcher.UserLost);
        Assert.True(channel.Reader.TryRead(out _));
        Assert.True(batcher.Flush());
        Assert.True(channel.Reader.TryRead(out var b));
        Assert.Equal(2, b!.Count);
    }

    [Fact]
    public void DropPending_ChannelStillFullAtShutdown_CountedAsUserLoss()
    {
        var channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.Wait });
        var batcher = new RecordBatcher(channel.Writer, batchSize: 100);
        batcher.OnSample([1]);
        batcher.Flush();
        batcher.OnSample([2]);
        batcher.OnSample([3]);
        batcher.DropPending();
        Assert.Equal(2, batcher.UserLost);
    }

    [Fact]
    public void Flush_PartialBatch_HandedOverAndReturnedBatchReused()
    {
        var channel = Channel.CreateUnbounded<RecordBatch>();
        var batcher = new RecordBatcher(channel.Writer, batchSize: 100);
        batcher.OnSample([1, 2, 3]);
        batcher.Flush();
        Assert.True(channel.Reader.TryRead(out var b));
        Assert.Equal(1, b!.Count);
        batcher.Return(b);
        batcher.OnSample([4]);
        batcher.Flush();
        batcher.OnSample([5]);
        batcher.Flush();
        Assert.True(channel.Reader.TryRead(out var b2));
        Assert.True(channel.Reader.TryRead(out var b3));
        Assert.Same(b, b3); // the returned batch came back into use
        Assert.NotSame(b2, b3);
        Assert.Equal(0, batcher.UserLost);
    }
}
