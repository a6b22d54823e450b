using Harrier.Engine.Enforcement;

namespace Harrier.Host.Commands;

/// <summary>
/// Removes the pinned enforcement (BPF LSM links and maps, cgroup network links and maps) so no policy stays in force:
/// <c>harrier stop --unpin</c> and <c>harrier uninstall</c>. Each part is reported on its own line; problems go to
/// <c>err</c>.
/// </summary>
internal static class EnforcementPins
{
    /// <summary>The BPF LSM pin directory <c>harrier run</c> uses by default.</summary>
    public const string DefaultLsmRoot = LsmEnforcerOptions.DefaultPinRoot;

    /// <summary>Unpins both; true when nothing was left behind.</summary>
    public static bool Remove(string lsmRoot, string cgroupRoot, TextWriter o, TextWriter err)
    {
        bool lsm = Report("BPF LSM", lsmRoot, Directory.Exists(lsmRoot), LsmEnforcer.Unpin(lsmRoot), o, err);
        bool cgroup = Report("cgroup", cgroupRoot, Directory.Exists(cgroupRoot), CgroupEnforcer.Unpin(cgroupRoot), o, err);
        return lsm && cgroup;
    }

    private static bool Report(string what, string root, bool existed, IReadOnlyList<string> problems, TextWriter o, TextWriter err)
    {
        if (problems.Count > 0)
        {
            err.WriteLine($"{what}: could not remove everything under {root}: {string.Join("; ", problems)}");
            return false;
        }

        o.WriteLine(existed ? $"{what}: unpinned {root}" : $"{what}: nothing pinned under {root}");
        return true;
    }
}
