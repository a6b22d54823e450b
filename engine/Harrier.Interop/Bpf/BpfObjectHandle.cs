using Microsoft.Win32.SafeHandles;

namespace Harrier.Interop.Bpf;

/// <summary>Owns a <c>struct bpf_object *</c>; closing it unloads programs and maps not held elsewhere.</summary>
internal sealed class BpfObjectHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public BpfObjectHandle(nint handle)
        : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle()
    {
        Libbpf.bpf_object__close(handle);
        return true;
    }
}
