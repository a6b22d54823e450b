using System.Runtime.InteropServices;

namespace Harrier.Host.Metrics;

/// <summary>
/// Reads how many bytes wait in a BPF ring buffer (producer position minus consumer position) for the
/// <c>harrier_ringbuffer_pending_bytes</c> gauge. Maps the map's consumer page (offset 0) and producer page (offset
/// one page) read-only, the two pages libbpf's own consumer reads, so a scrape costs two memory reads and no
/// syscall. The mapping keeps the map alive until <see cref="Dispose"/>. Thread-safe reads.
/// </summary>
internal sealed class RingBufferFill : IDisposable
{
    private const int ProtRead = 1;
    private const int MapShared = 1;
    private static readonly nint MapFailed = -1;

    private readonly nuint _page;
    private nint _consumer;
    private nint _producer;

    private RingBufferFill(nint consumer, nint producer, nuint page)
    {
        _consumer = consumer;
        _producer = producer;
        _page = page;
    }

    /// <summary>Maps the positions of the ring buffer map <paramref name="mapFd"/>; null (with the errno) when the
    /// kernel refuses.</summary>
    public static RingBufferFill? Open(int mapFd, out int errno)
    {
        errno = 0;
        nuint page = (nuint)Environment.SystemPageSize;
        nint consumer = mmap(0, page, ProtRead, MapShared, mapFd, 0);
        if (consumer == MapFailed)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        nint producer = mmap(0, page, ProtRead, MapShared, mapFd, (nint)page);
        if (producer == MapFailed)
        {
            errno = Marshal.GetLastPInvokeError();
            munmap(consumer, page);
            return null;
        }

        return new RingBufferFill(consumer, producer, page);
    }

    /// <summary>Bytes written by the probes and not yet consumed (record headers included); 0 after dispose.</summary>
    public long PendingBytes
    {
        get
        {
            nint consumer = Volatile.Read(ref _consumer);
            nint producer = Volatile.Read(ref _producer);
            if (consumer == 0 || producer == 0)
            {
                return 0;
            }

            // Read the consumer first: it only grows towards the producer, so the difference is never negative.
            long c = Marshal.ReadInt64(consumer);
            long p = Marshal.ReadInt64(producer);
            return Math.Max(0, p - c);
        }
    }

    public void Dispose()
    {
        nint consumer = Interlocked.Exchange(ref _consumer, 0);
        nint producer = Interlocked.Exchange(ref _producer, 0);
        if (consumer != 0)
        {
            munmap(consumer, _page);
        }

        if (producer != 0)
        {
            munmap(producer, _page);
        }
    }

    // DllImport: blittable arguments only, so no marshalling stub (and no unsafe code in this assembly).
    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static extern int munmap(nint addr, nuint length);
}
