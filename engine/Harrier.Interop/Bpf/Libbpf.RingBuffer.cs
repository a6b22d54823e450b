using System.Runtime.InteropServices;

namespace Harrier.Interop.Bpf;

/// <summary>
/// libbpf bindings, part: BPF ring buffers. The sample callback is an unmanaged function pointer
/// <c>int (*)(void *ctx, void *data, size_t size)</c>; it runs on the thread calling poll/consume and must
/// never let an exception escape. A ring_buffer is used by one thread at a time.
/// </summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library, EntryPoint = "ring_buffer__new", SetLastError = true)]
    internal static partial nint ring_buffer__new(int mapFd, delegate* unmanaged<void*, void*, nuint, int> sampleCb, void* ctx, void* opts);

    [LibraryImport(Library, EntryPoint = "ring_buffer__poll")]
    internal static partial int ring_buffer__poll(nint rb, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "ring_buffer__consume")]
    internal static partial int ring_buffer__consume(nint rb);

    [LibraryImport(Library, EntryPoint = "ring_buffer__free")]
    internal static partial void ring_buffer__free(nint rb);

    /// <summary>Creates a ring-buffer manager over a BPF_MAP_TYPE_RINGBUF map fd.</summary>
    /// <exception cref="BpfException">ring_buffer__new failed (mmap of the ring, epoll).</exception>
    internal static RingBufferHandle NewRingBuffer(int mapFd, delegate* unmanaged<void*, void*, nuint, int> cb, void* ctx)
    {
        nint rb = ring_buffer__new(mapFd, cb, ctx, null);
        if (rb == 0)
        {
            throw new BpfException("ring_buffer__new", Marshal.GetLastPInvokeError());
        }

        return new RingBufferHandle(rb);
    }
}
