using Harrier.Engine.Ingest;

namespace Harrier.Engine.Tests.Decoding;

public sealed class RecordBatchTests
{
    [Fact]
    public void TryAppend_ThenEnumerate_RecordsBackInOrder()
    {
        var batch = new RecordBatch(64);
        Assert.True(batch.TryAppend([1, 2, 3]));
        Assert.True(batch.TryAppend([4, 5, 6, 7, 8, 9, 10, 11, 12]));
        var seen = new List<byte[]>();
        foreach (var r in batch)
        {
            seen.Add(r.ToArray());
        }

        Assert.Equal(2, batch.Count);
        Assert.Equal(new byte[] { 1, 2, 3 }, seen[0]);
        Assert.Equal(9, seen[1].Length);
        batch.Release();
    }

    [Fact]
    public void TryAppend_Full_ReturnsFalse()
    {
        var batch = new RecordBatch(16);
        int n = 0;
        while (batch.TryAppend(new byte[8]))
        {
            n++;
        }

        Assert.Equal(batch.Buffer.Length / 16, n);
        batch.Release();
    }
}
