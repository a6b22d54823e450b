using Microsoft.Win32.SafeHandles;

namespace Harrier.Interop.Bpf;

/// <summary>Owns a <c>struct ring_buffer *</c>. Free it only after the polling thread stopped.</summary>
internal sealed class RingBufferHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public RingBufferHandle(nint handle)
        : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle()
    {
        Libbpf.ring_buffer__free(handle);
        return true;
    }
}
