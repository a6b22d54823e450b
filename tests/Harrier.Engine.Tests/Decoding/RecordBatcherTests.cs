using System.Threading.Channels;
using Harrier.Engine.Ingest;

namespace Harrier.Engine.Tests.Decoding;

public sealed class RecordBatcherTests
{
    [Fact]
    public void OnSample_ChannelFull_BatchDroppedAndCountedAsUserLoss()
    {
        var channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.Wait });
        var batcher = new RecordBatcher(channel.Writer, batchSize: 2);
        for (int i = 0; i < 6; i++)
        {
            batcher.OnSample(new byte[32]);
        }

        // first batch of 2 queued, the next two batches found the channel full
        Assert.Equal(4, batcher.UserLost);
        Assert.Equal(6, batcher.Received);
        Assert.True(channel.Reader.TryRead(out var b));
        Assert.Equal(2, b!.Count);
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
