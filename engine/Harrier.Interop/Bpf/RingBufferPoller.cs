using System.Runtime.InteropServices;

namespace Harrier.Interop.Bpf;

/// <summary>
/// A libbpf ring_buffer over one BPF_MAP_TYPE_RINGBUF map, delivering samples to an <see cref="IRingBufferSink"/>
/// through an <c>[UnmanagedCallersOnly]</c> callback: no allocation per sample, no exception crosses into native
/// code. Not thread-safe: <see cref="Poll"/> and <see cref="Consume"/> must be called from one thread, and
/// <see cref="Dispose"/> only after that thread stopped.
/// </summary>
internal sealed unsafe class RingBufferPoller : IDisposable
{
    private readonly RingBufferHandle _rb;
    private GCHandle _self;

    /// <exception cref="BpfException">ring_buffer__new failed.</exception>
    public RingBufferPoller(int mapFd, IRingBufferSink sink)
    {
        Sink = sink;
        _self = GCHandle.Alloc(this);
        try
        {
            _rb = Libbpf.NewRingBuffer(mapFd, &OnSample, (void*)GCHandle.ToIntPtr(_self));
        }
        catch
        {
            _self.Free();
            throw;
        }
    }

    public IRingBufferSink Sink { get; }

    /// <summary>What <see cref="Poll"/> and <see cref="Consume"/> return when the sink refused a record (-EAGAIN).</summary>
    public const int BackPressure = -11;

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a wake-up and consumes what is ready.
    /// Returns the number of records consumed, or a negative errno (-EINTR is normal; <see cref="BackPressure"/> when
    /// the sink refused a record).</summary>
    public int Poll(int timeoutMs) => Libbpf.ring_buffer__poll(_rb.DangerousGetHandle(), timeoutMs);

    /// <summary>Consumes every record available now without waiting. Returns the count or a negative errno.</summary>
    public int Consume() => Libbpf.ring_buffer__consume(_rb.DangerousGetHandle());

    public void Dispose()
    {
        _rb.Dispose();
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }

    [UnmanagedCallersOnly]
    private static int OnSample(void* ctx, void* data, nuint size)
    {
        RingBufferPoller? self = null;
        try
        {
            self = (RingBufferPoller?)GCHandle.FromIntPtr((nint)ctx).Target;
            if (self is not null && !self.Sink.OnSample(new ReadOnlySpan<byte>(data, (int)size)))
            {
                return BackPressure; // libbpf stops before this record and leaves it in the ring
            }
        }
        catch (Exception ex)
        {
            try
            {
                self?.Sink.OnSinkFault(ex);
            }
            catch
            {
                // nothing may unwind into libbpf
            }
        }

        return 0;
    }
}
