using Harrier.Engine.Enforcement;
using Harrier.Engine.Enrichment;
using Harrier.Events;
using Harrier.Interop;
using Harrier.Kernel.Tests.Lsm;

namespace Harrier.Kernel.Tests.Observation;

/// <summary>A process gone from /proc before enrichment looks still gets its container, from the event's cgroup id.
/// Needs root (cgroup directories, open_by_handle_at).</summary>
public sealed class CgroupPathResolverTests : IDisposable
{
    private readonly string? _mount = CgroupPaths.FindCgroup2Mount();
    private readonly List<string> _made = new();

    public void Dispose()
    {
        foreach (string dir in _made)
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (IOException)
            {
            }
        }
    }

    private (string Name, ulong Id) MakeCgroup(string name)
    {
        Assert.NotNull(_mount);
        string dir = Path.Combine(_mount!, name);
        Directory.CreateDirectory(dir);
        _made.Add(dir);
        Assert.True(LibbpfCgroup.TryGetInode(dir, out ulong id));
        return (name, id);
    }

    [RootFact]
    public void PathOf_CgroupId_IsItsPathBelowTheRootUntilRemoved()
    {
        var (name, id) = MakeCgroup($"harrier-kt-{Guid.NewGuid():N}");
        using var resolver = CgroupPathResolver.OpenHost();
        Assert.NotNull(resolver);
        Assert.Equal("/" + name, resolver!.PathOf(id));
        Assert.Equal(1, resolver.Lookups);
        Assert.Equal("/" + name, resolver.PathOf(id)); // cached
        Assert.Equal(1, resolver.Lookups);

        Directory.Delete(Path.Combine(_mount!, name));
        using var fresh = CgroupPathResolver.OpenHost();
        Assert.Null(fresh!.PathOf(id)); // the cgroup is gone: no path, no exception
        Assert.Equal(1, fresh.Misses);
        Assert.Null(fresh.PathOf(0));
    }

    [RootFact]
    public void Enrich_ExecOfProcessAlreadyGoneFromProc_ContainerFromTheCgroupId()
    {
        string full = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var (_, id) = MakeCgroup($"docker-{full}.scope");
        var table = new ProcessTable(new EnrichmentOptions());
        const int GonePid = 4_000_001; // above any pid_max: /proc has no such entry
        var exec = new ProcessEvent { Type = EventType.Execve, Pid = GonePid, Tid = GonePid, Ppid = 1, Comm = "true", CgroupId = id, ExePath = "/usr/bin/true", Argv = ["true"] };
        table.Enrich(exec);
        Assert.Equal(full[..12], exec.Process!.ContainerId);
        Assert.Equal("docker", exec.Process.ContainerRuntime);
        Assert.Equal($"/docker-{full}.scope", exec.Process.CgroupPath);
    }
}
