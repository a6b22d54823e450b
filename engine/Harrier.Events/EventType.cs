namespace Harrier.Events;

/// <summary>
/// Every syscall or kernel action Harrier reports. The numeric values are the ABI op codes of
/// <c>probes/include/abi/events.h</c> (<c>enum evt_op</c>): never renumber, only append.
/// Ranges: 1-99 process, 100-199 file, 200-299 network, 300-399 privilege and kernel,
/// 400-499 enforcement decisions (LSM, seccomp, cgroup).
/// </summary>
public enum EventType : ushort
{
    None = 0,

    // process
    Execve = 1,
    Execveat = 2,
    Fork = 3,
    Vfork = 4,
    Clone = 5,
    Clone3 = 6,
    ProcExit = 7,

    // file
    Open = 100,
    Openat = 101,
    Openat2 = 102,
    Creat = 103,
    Unlink = 104,
    Unlinkat = 105,
    Rename = 106,
    Renameat = 107,
    Renameat2 = 108,
    Mkdir = 109,
    Mkdirat = 110,
    Rmdir = 111,
    Chmod = 112,
    Fchmod = 113,
    Fchmodat = 114,
    Chown = 115,
    Fchown = 116,
    Lchown = 117,
    Fchownat = 118,
    Link = 119,
    Linkat = 120,
    Symlink = 121,
    Symlinkat = 122,
    Truncate = 123,
    Ftruncate = 124,
    Close = 125,

    // network
    Socket = 200,
    Connect = 201,
    Accept = 202,
    Accept4 = 203,
    Bind = 204,
    Listen = 205,
    Sendto = 206,
    Sendmsg = 207,

    // privilege and kernel
    Setuid = 300,
    Setgid = 301,
    Setreuid = 302,
    Setregid = 303,
    Setresuid = 304,
    Setresgid = 305,
    Capset = 306,
    Ptrace = 307,
    Mount = 308,
    Umount2 = 309,
    InitModule = 310,
    FinitModule = 311,
    DeleteModule = 312,
    Bpf = 313,
    MemfdCreate = 314,
    Unshare = 315,
    Setns = 316,
    Dup2 = 317,
    Dup3 = 318,
    Dup = 319,

    // enforcement decisions
    LsmDecision = 400,
    SeccompDecision = 401,
    CgroupDecision = 402,
}
