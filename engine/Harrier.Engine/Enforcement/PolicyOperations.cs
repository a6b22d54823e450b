namespace Harrier.Engine.Enforcement;

/// <summary>
/// The operations a policy entry applies to. Values are the <c>enum pol_op</c> bits of
/// <c>lsm-hooks/include/policy_maps.h</c>: never renumber.
/// </summary>
[Flags]
public enum PolicyOperations : ushort
{
    None = 0,
    Exec = 1 << 0,
    Open = 1 << 1,
    Unlink = 1 << 2,
    Rename = 1 << 3,
    Connect = 1 << 4,
    Bind = 1 << 5,
    Mount = 1 << 6,

    /// <summary>Kernel module loading (init_module / finit_module).</summary>
    Module = 1 << 7,
    Bpf = 1 << 8,
    Ptrace = 1 << 9,

    /// <summary>Every file operation: open, unlink (and rmdir), rename.</summary>
    FileAll = Open | Unlink | Rename,
}
