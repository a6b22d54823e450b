using System.Diagnostics;
using Harrier.Engine.Enrichment;
using Harrier.Events;

namespace Harrier.Engine.Tests.Enrichment;

/// <summary>Against the machine's real /proc. Needs root (to read every process's exe and cwd links): as root
/// it runs, otherwise it returns early with a note (xunit 2 has no dynamic skip).</summary>
public sealed class RealProcfsTests
{
    private static bool IsRoot => Environment.IsPrivilegedProcess;

    [Fact]
    public void Seed_RealProc_FindsThisProcessWithExeAndParent()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self") || !IsRoot)
        {
            Console.WriteLine("RealProcfsTests: skipped (needs Linux procfs and root)");
            return;
        }

        var table = new ProcessTable(new EnrichmentOptions());
        int seeded = table.Seed();
        var self = Process.GetCurrentProcess();
        int ppid = int.Parse(File.ReadAllText("/proc/self/stat").Split(") ")[1].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(seeded > 1);
        var info = table.Find(self.Id);
        Assert.NotNull(info);
        Assert.Equal(Environment.ProcessPath, info!.ExePath);
        Assert.Equal(ppid, info.Ppid);
        Assert.NotNull(info.Parent);
        Assert.Equal(ppid, info.Parent!.Pid);
        Assert.Equal(Environment.CurrentDirectory, info.Cwd);
        Assert.Equal("root", info.UserName);
        Assert.NotEqual(0ul, info.StartNs);
        Assert.Equal(table.Find(1)!.Pid, info.Ancestor(AncestorDepth(info))!.Pid); // the chain reaches init

        // An event of this process resolves to the seeded entry with no procfs read.
        var e = new FileEvent { Type = EventType.Openat, Pid = self.Id, Tid = self.Id, Ppid = ppid, Comm = info.Name, ProcStartNs = info.StartNs + 1234 };
        table.Enrich(e);
        Assert.Same(info, e.Process);
        Assert.Equal(0, table.PidReuses);
    }

    private static int AncestorDepth(ProcessInfo info)
    {
        int depth = 0;
        for (var p = info; p.Parent is not null; p = p.Parent)
        {
            depth++;
        }

        return depth;
    }
}
