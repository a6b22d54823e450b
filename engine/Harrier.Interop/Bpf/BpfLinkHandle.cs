using Microsoft.Win32.SafeHandles;

namespace Harrier.Interop.Bpf;

/// <summary>Owns a <c>struct bpf_link *</c>; disposing detaches the program.</summary>
internal sealed class BpfLinkHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public BpfLinkHandle(nint handle)
        : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle()
    {
        Libbpf.bpf_link__destroy(handle);
        return true;
    }
}
