namespace Harrier.Events;

/// <summary>Names (as Falco writes <c>evt.type</c>) and classes of <see cref="EventType"/> values.</summary>
public static class EventTypes
{
    private static readonly Dictionary<string, EventType> ByName = BuildByName();

    /// <summary>The Falco name of the type: the syscall name (<c>openat</c>), or <c>procexit</c>.</summary>
    public static string Name(EventType type) => type switch
    {
        EventType.ProcExit => "procexit",
        EventType.InitModule => "init_module",
        EventType.FinitModule => "finit_module",
        EventType.DeleteModule => "delete_module",
        EventType.MemfdCreate => "memfd_create",
        EventType.LsmDecision => "lsm_decision",
        EventType.SeccompDecision => "seccomp_decision",
        EventType.CgroupDecision => "cgroup_decision",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>Looks a Falco event type name up; false for names Harrier does not capture.</summary>
    public static bool TryParse(string name, out EventType type) => ByName.TryGetValue(name, out type);

    /// <summary>All types Harrier can capture.</summary>
    public static IEnumerable<EventType> All => Enum.GetValues<EventType>().Where(t => t != EventType.None);

    /// <summary>The class (and so the fact type) an event of this type belongs to.</summary>
    public static EventClass ClassOf(EventType type) => (ushort)type switch
    {
        < 100 => EventClass.Process,
        < 200 => EventClass.File,
        < 300 => EventClass.Network,
        < 400 => EventClass.Privilege,
        _ => EventClass.Decision,
    };

    private static Dictionary<string, EventType> BuildByName()
    {
        var map = new Dictionary<string, EventType>(StringComparer.Ordinal);
        foreach (var t in Enum.GetValues<EventType>())
        {
            if (t != EventType.None)
            {
                map[Name(t)] = t;
            }
        }

        return map;
    }
}
