using Harrier.Events;

namespace Harrier.Engine.Loading;

/// <summary>
/// x86_64 system call numbers of every syscall <see cref="EventType"/> (probes/lib/syscalls.h). Used to fill the
/// kernel's interesting-syscall map. Thread-safe (immutable).
/// </summary>
internal static class SyscallTable
{
    private static readonly (EventType Type, int[] Numbers)[] Table =
    [
        (EventType.Execve, [59]), (EventType.Execveat, [322]),
        (EventType.Fork, [57]), (EventType.Vfork, [58]), (EventType.Clone, [56]), (EventType.Clone3, [435]),
        (EventType.Open, [2]), (EventType.Openat, [257]), (EventType.Openat2, [437]), (EventType.Creat, [85]),
        (EventType.Unlink, [87]), (EventType.Unlinkat, [263]),
        (EventType.Rename, [82]), (EventType.Renameat, [264]), (EventType.Renameat2, [316]),
        (EventType.Mkdir, [83]), (EventType.Mkdirat, [258]), (EventType.Rmdir, [84]),
        (EventType.Chmod, [90]), (EventType.Fchmod, [91]), (EventType.Fchmodat, [268, 452]),
        (EventType.Chown, [92]), (EventType.Fchown, [93]), (EventType.Lchown, [94]), (EventType.Fchownat, [260]),
        (EventType.Link, [86]), (EventType.Linkat, [265]), (EventType.Symlink, [88]), (EventType.Symlinkat, [266]),
        (EventType.Truncate, [76]), (EventType.Ftruncate, [77]), (EventType.Close, [3]),
        (EventType.Socket, [41]), (EventType.Connect, [42]), (EventType.Accept, [43]), (EventType.Accept4, [288]),
        (EventType.Bind, [49]), (EventType.Listen, [50]), (EventType.Sendto, [44]), (EventType.Sendmsg, [46]),
        (EventType.Setuid, [105]), (EventType.Setgid, [106]), (EventType.Setreuid, [113]), (EventType.Setregid, [114]),
        (EventType.Setresuid, [117]), (EventType.Setresgid, [119]), (EventType.Capset, [126]), (EventType.Ptrace, [101]),
        (EventType.Mount, [165]), (EventType.Umount2, [166]), (EventType.InitModule, [175]),
        (EventType.FinitModule, [313]), (EventType.DeleteModule, [176]), (EventType.Bpf, [321]),
        (EventType.MemfdCreate, [319]), (EventType.Unshare, [272]), (EventType.Setns, [308]),
        (EventType.Dup, [32]), (EventType.Dup2, [33]), (EventType.Dup3, [292]),
    ];

    private static readonly Dictionary<EventType, int[]> ByType = Table.ToDictionary(t => t.Type, t => t.Numbers);

    /// <summary>Types the process table needs whatever the rules ask for.</summary>
    public static readonly IReadOnlyList<EventType> AlwaysOn =
    [
        EventType.Execve, EventType.Execveat, EventType.Fork, EventType.Vfork, EventType.Clone, EventType.Clone3,
        EventType.ProcExit,
    ];

    /// <summary>The syscall numbers that produce events of <paramref name="type"/> (empty for non-syscall types such as procexit).</summary>
    public static IReadOnlyList<int> NumbersOf(EventType type) => ByType.TryGetValue(type, out var n) ? n : [];

    /// <summary>Every syscall type the probes can capture.</summary>
    public static IEnumerable<EventType> SyscallTypes => Table.Select(t => t.Type);

    /// <summary>What close needs besides itself: the open family, whose events name the fds that close reports.</summary>
    public static readonly IReadOnlyList<EventType> CloseNeeds =
    [
        EventType.Open, EventType.Openat, EventType.Openat2, EventType.Creat,
    ];

    /// <summary>The interesting-map contents for a set of types (index = syscall nr, value = op code, 0 = off),
    /// with <see cref="AlwaysOn"/> added, and <see cref="CloseNeeds"/> when close is in the set.</summary>
    public static uint[] BuildInterestingMap(IEnumerable<EventType> types)
    {
        var map = new uint[Abi.AbiConstants.SyscallMax];
        var wanted = types.ToList();
        if (wanted.Contains(EventType.Close))
        {
            wanted.AddRange(CloseNeeds);
        }

        foreach (var t in wanted.Concat(AlwaysOn))
        {
            foreach (int nr in NumbersOf(t))
            {
                map[nr] = (ushort)t;
            }
        }

        return map;
    }
}
