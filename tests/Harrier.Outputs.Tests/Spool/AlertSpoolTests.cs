using Harrier.Events;
using Harrier.Outputs.Formatting;
using Harrier.Outputs.Spool;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Outputs.Tests.Spool;

public sealed class AlertSpoolTests
{
    private static SpoolOptions Small(OverflowPolicy overflow = OverflowPolicy.DropOldest, FsyncPolicy fsync = FsyncPolicy.Never)
        => new() { SegmentBytes = 8192, MaxBytes = 32768, Overflow = overflow, Fsync = fsync };

    private static AlertSpool Open(string dir, SpoolOptions? o = null)
        => AlertSpool.Open(dir, o ?? new SpoolOptions { SegmentBytes = 64 << 10, MaxBytes = 64 << 20 }, new FakeTimeProvider(), NullLogger.Instance);

    [Fact]
    public void ReadBatch_AfterAppend_ReturnsEveryFieldInOrder()
    {
        using var dir = new TempDir();
        using AlertSpool spool = Open(dir.Path);
        Alert[] alerts = Enumerable.Range(0, 100).Select(i => TestAlerts.Make(i)).ToArray();
        foreach (Alert a in alerts)
        {
            Assert.True(spool.TryAppend(a));
        }

        var read = new List<SpoolRecord>();
        Assert.Equal(100, spool.ReadBatch(read, 1000));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), read.Select(r => r.Seq));
        for (int i = 0; i < alerts.Length; i++)
        {
            // Full fidelity: every format renders the decoded alert exactly as the original.
            Assert.Equal(AlertFormatter.ToText(alerts[i], AlertFormat.Falco), AlertFormatter.ToText(read[i].Alert, AlertFormat.Falco));
            Assert.Equal(AlertFormatter.ToText(alerts[i], AlertFormat.Ecs), AlertFormatter.ToText(read[i].Alert, AlertFormat.Ecs));
        }

        Assert.Equal(0, spool.Unread);
        Assert.Equal(100, spool.Pending);
    }

    [Fact]
    public void Open_AfterUncleanClose_RedeliversFromCommitPoint()
    {
        using var dir = new TempDir();
        using (AlertSpool spool = Open(dir.Path))
        {
            for (int i = 0; i < 50; i++)
            {
                spool.TryAppend(TestAlerts.Make(i));
            }

            var read = new List<SpoolRecord>();
            spool.ReadBatch(read, 20);
            spool.Commit(read[^1].Seq + 1);
        }

        using AlertSpool reopened = Open(dir.Path);
        var again = new List<SpoolRecord>();
        reopened.ReadBatch(again, 1000);
        Assert.Equal(Enumerable.Range(20, 30).Select(i => TestAlerts.UuidFor(i)), again.Select(r => r.Alert.Uuid));
        Assert.True(reopened.TryAppend(TestAlerts.Make(50)));
        again.Clear();
        reopened.ReadBatch(again, 10);
        Assert.Equal(50, again.Single().Seq);
    }

    [Fact]
    public void Open_TornTail_TruncatesAndKeepsWholeRecords()
    {
        using var dir = new TempDir();
        using (AlertSpool spool = Open(dir.Path))
        {
            for (int i = 0; i < 10; i++)
            {
                spool.TryAppend(TestAlerts.Make(i));
            }
        }

        string seg = Directory.GetFiles(dir.Path, "*.seg").Single();
        long len = new FileInfo(seg).Length;
        using (var fs = new FileStream(seg, FileMode.Open))
        {
            fs.SetLength(len - 7); // crash in the middle of the last record
        }

        using AlertSpool reopened = Open(dir.Path);
        var read = new List<SpoolRecord>();
        reopened.ReadBatch(read, 100);
        Assert.Equal(9, read.Count);
        Assert.Equal(1, reopened.Corrupt);
        Assert.True(reopened.TryAppend(TestAlerts.Make(9)));
        read.Clear();
        reopened.ReadBatch(read, 100);
        Assert.Equal(TestAlerts.UuidFor(9), read.Single().Alert.Uuid);
    }

    [Fact]
    public void ReadBatch_CorruptRecordInOlderSegment_SkippedAndCounted()
    {
        using var dir = new TempDir();
        using (AlertSpool spool = Open(dir.Path, Small(fsync: FsyncPolicy.Never) with { MaxBytes = 1 << 20 }))
        {
            for (int i = 0; i < 40; i++)
            {
                spool.TryAppend(TestAlerts.Make(i));
            }
        }

        string first = Directory.GetFiles(dir.Path, "*.seg").Order().First();
        byte[] bytes = File.ReadAllBytes(first);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(first, bytes);

        using AlertSpool reopened = Open(dir.Path, Small() with { MaxBytes = 1 << 20 });
        var read = new List<SpoolRecord>();
        while (reopened.ReadBatch(read, 100) > 0)
        {
        }

        Assert.True(reopened.Corrupt > 0);
        Assert.Equal(40, read.Count + reopened.Corrupt);
        Assert.Equal(read.Select(r => r.Seq).Order(), read.Select(r => r.Seq));
    }

    [Fact]
    public void Commit_PastSegment_DeletesDeliveredSegments()
    {
        using var dir = new TempDir();
        using AlertSpool spool = Open(dir.Path, Small() with { MaxBytes = 1 << 20 });
        for (int i = 0; i < 60; i++)
        {
            spool.TryAppend(TestAlerts.Make(i));
        }

        int before = Directory.GetFiles(dir.Path, "*.seg").Length;
        Assert.True(before > 2);
        var read = new List<SpoolRecord>();
        spool.ReadBatch(read, 1000);
        spool.Commit(read[^1].Seq + 1);
        Assert.Single(Directory.GetFiles(dir.Path, "*.seg"));
        Assert.Equal(0, spool.Pending);
    }

    [Fact]
    public void TryAppend_FullDropOldest_DropsOldestAndCountsThem()
    {
        using var dir = new TempDir();
        using AlertSpool spool = Open(dir.Path, Small(OverflowPolicy.DropOldest));
        int n = 200;
        for (int i = 0; i < n; i++)
        {
            Assert.True(spool.TryAppend(TestAlerts.Make(i)));
        }

        Assert.True(spool.Bytes <= 32768);
        Assert.True(spool.DroppedOldest > 0);
        var read = new List<SpoolRecord>();
        while (spool.ReadBatch(read, 1000) > 0)
        {
        }

        Assert.Equal(n, read.Count + spool.DroppedOldest);
        Assert.Equal(TestAlerts.UuidFor(n - 1), read[^1].Alert.Uuid);
        Assert.Equal(read[0].Seq, spool.DroppedOldest);
    }

    [Fact]
    public void TryAppend_FullDropNewest_RefusesAndKeepsOldest()
    {
        using var dir = new TempDir();
        using AlertSpool spool = Open(dir.Path, Small(OverflowPolicy.DropNewest));
        int accepted = 0;
        for (int i = 0; i < 200; i++)
        {
            accepted += spool.TryAppend(TestAlerts.Make(i)) ? 1 : 0;
        }

        Assert.True(accepted < 200);
        Assert.Equal(200 - accepted, spool.DroppedNewest);
        var read = new List<SpoolRecord>();
        while (spool.ReadBatch(read, 1000) > 0)
        {
        }

        Assert.Equal(Enumerable.Range(0, accepted).Select(i => TestAlerts.UuidFor(i)), read.Select(r => r.Alert.Uuid));
    }

    [Fact]
    public void Open_UnwritableLocation_ThrowsSpoolException()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir.Path, "not-a-dir");
        File.WriteAllText(file, "x");
        SpoolException e = Assert.Throws<SpoolException>(() => Open(Path.Combine(file, "spool")));
        Assert.Contains("not-a-dir", e.Message, StringComparison.Ordinal);
    }
}
