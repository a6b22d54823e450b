using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Harrier.Interop;

/// <summary>Receives one ring-buffer record; the span is valid only during the call.</summary>
internal delegate void LsmRecordHandler(ReadOnlySpan<byte> record);

/// <summary>
/// A libbpf <c>ring_buffer</c> over one BPF_MAP_TYPE_RINGBUF map fd, delivering records to a handler on the
/// thread that calls <see cref="Poll"/>. Not thread-safe: one polling thread. The map fd stays owned by the caller.
/// </summary>
internal sealed unsafe partial class LsmRingBuffer : IDisposable
{
    private const string Lib = "libbpf.so.1";

    private readonly LsmRecordHandler _handler;
    private GCHandle _self;
    private nint _rb;

    [LibraryImport(Lib, EntryPoint = "ring_buffer__new", SetLastError = true)]
    private static partial nint RingBufferNew(int mapFd, delegate* unmanaged[Cdecl]<void*, void*, nuint, int> cb, void* ctx, void* opts);

    [LibraryImport(Lib, EntryPoint = "ring_buffer__poll", SetLastError = true)]
    private static partial int RingBufferPoll(nint rb, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "ring_buffer__free")]
    private static partial void RingBufferFree(nint rb);

    private LsmRingBuffer(LsmRecordHandler handler) => _handler = handler;

    /// <summary>Creates the reader. Returns null with <paramref name="error"/> = -errno when libbpf refuses the fd.</summary>
    public static LsmRingBuffer? Create(int mapFd, LsmRecordHandler handler, out int error)
    {
        var reader = new LsmRingBuffer(handler);
        reader._self = GCHandle.Alloc(reader);
        reader._rb = RingBufferNew(mapFd, &OnSample, (void*)GCHandle.ToIntPtr(reader._self), null);
        if (reader._rb == 0)
        {
            int e = Marshal.GetLastPInvokeError();
            error = e == 0 ? -22 : -e;
            reader._self.Free();
            return null;
        }
        error = 0;
        return reader;
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> and delivers what is ready: the number of records, or -errno (-EINTR is 0).</summary>
    public int Poll(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_rb == 0, this);
        int rc = RingBufferPoll(_rb, timeoutMs);
        return rc == -4 ? 0 : rc;
    }

    public void Dispose()
    {
        if (_rb != 0)
        {
            RingBufferFree(_rb);
            _rb = 0;
            _self.Free();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnSample(void* ctx, void* data, nuint size)
    {
        try
        {
            var reader = (LsmRingBuffer)GCHandle.FromIntPtr((nint)ctx).Target!;
            reader._handler(new ReadOnlySpan<byte>(data, (int)size));
            return 0;
        }
        catch
        {
            return -22; // stops this poll round; the exception must not cross into native code
        }
    }
}
