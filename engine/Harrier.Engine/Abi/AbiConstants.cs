namespace Harrier.Engine.Abi;

/// <summary>Constants of probes/include/abi/events.h and probes/lib/maps.h that user space relies on.</summary>
internal static class AbiConstants
{
    /// <summary>HARRIER_ABI_VERSION this engine decodes.</summary>
    public const uint Version = 1;

    /// <summary>sizeof(struct evt_record): where the string area starts.</summary>
    public const int RecordSize = 224;

    public const int MaxStr = 6;
    public const int OpMax = 512;
    public const int SyscallMax = 512;
    public const int PathMax = 4096;

    // hdr.flags
    public const ushort FlagTruncated = 1 << 0;
    public const ushort FlagArgvTruncated = 1 << 1;
    public const ushort FlagPathPartial = 1 << 3;
    public const ushort FlagFdSocket = 1 << 4;
    public const ushort FlagExeUpperLayer = 1 << 5;
    public const ushort FlagExeLowerLayer = 1 << 6;

    // file slots
    public const int SlotPath = 0;
    public const int SlotResolved = 1;
    public const int SlotBase = 2;
    public const int SlotNewPath = 3;
    public const int SlotNewBase = 4;

    // exec slots
    public const int SlotExecFilename = 0;
    public const int SlotExecExe = 1;
    public const int SlotExecArgv = 2;
    public const int SlotExecCwd = 3;

    /// <summary>Names of enum err_kind (probes/lib/maps.h), by index.</summary>
    public static readonly string[] HelperErrorNames =
    [
        "tail_call", "read_user", "read_kernel", "path_depth", "scratch", "var_full", "fd", "compat", "scratch_race", "shed",
    ];

    /// <summary>Map and section names in the object.</summary>
    public const string EventsMap = "events";
    public const string InterestingMap = "interesting";
    public const string LostMap = "lost";
    public const string ErrorsMap = "errors";
    public const string AbiSection = ".rodata.abi";
    public const string ConfigSection = ".rodata.config";
    public const string ObjectResource = "probes/harrier.bpf.o";
}
