namespace Harrier.Seccomp.Filters;

/// <summary>Kernel ABI values from <c>linux/seccomp.h</c>, <c>linux/audit.h</c> and <c>linux/filter.h</c>.</summary>
internal static class SeccompConstants
{
    public const uint RetKillProcess = 0x80000000;
    public const uint RetKillThread = 0x00000000;
    public const uint RetTrap = 0x00030000;
    public const uint RetErrno = 0x00050000;
    public const uint RetUserNotif = 0x7fc00000;
    public const uint RetTrace = 0x7ff00000;
    public const uint RetLog = 0x7ffc0000;
    public const uint RetAllow = 0x7fff0000;
    public const uint RetActionFull = 0xffff0000;
    public const uint RetData = 0x0000ffff;

    /// <summary>EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.</summary>
    public const uint AuditArchX86_64 = 0xC000003E;

    /// <summary>Syscall numbers with this bit set are the x32 ABI.</summary>
    public const uint X32SyscallBit = 0x40000000;

    /// <summary>Offsets in <c>struct seccomp_data</c>.</summary>
    public const uint OffsetNr = 0;
    public const uint OffsetArch = 4;
    public const uint OffsetInstructionPointer = 8;
    public const uint OffsetArgs = 16;

    /// <summary>BPF_MAXINSNS: the longest classic BPF program the kernel accepts.</summary>
    public const int MaxInstructions = 4096;

    public const uint SetModeFilter = 1;
    public const uint GetNotifSizes = 3;
    public const uint FilterFlagLog = 1u << 1;
    public const uint FilterFlagNewListener = 1u << 3;
    public const uint UserNotifFlagContinue = 1;

    /// <summary>SECCOMP_IOCTL_NOTIF_RECV = _IOWR('!', 0, struct seccomp_notif) (80 bytes).</summary>
    public const uint IoctlNotifRecv = 0xC0502100;

    /// <summary>SECCOMP_IOCTL_NOTIF_SEND = _IOWR('!', 1, struct seccomp_notif_resp) (24 bytes).</summary>
    public const uint IoctlNotifSend = 0xC0182101;

    /// <summary>SECCOMP_IOCTL_NOTIF_ID_VALID = _IOW('!', 2, __u64).</summary>
    public const uint IoctlNotifIdValid = 0x40082102;

    public const int NotifSize = 80;
    public const int NotifRespSize = 24;
}
