using Harrier.Engine.Enrichment;
using Harrier.Events;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Engine.Tests.Enrichment;

/// <summary>Random fork/exec/exit/event streams checked against a plain model of the process tree.</summary>
public sealed class ProcessTableModelTests : IDisposable
{
    private readonly FakeProcfs _fs = new();

    public ProcessTableModelTests()
    {
        _fs.Add(1, 0, "init", ["/sbin/init"], "/sbin/init", startTicks: 1);
    }

    public void Dispose() => _fs.Dispose();

    private sealed record Model(int Pid, int Ppid, string Name, ulong Start);

    [Theory]
    [InlineData(1, 100_000)]
    [InlineData(2, 100_000)]
    [InlineData(3, 64)]
    [InlineData(4, 16)]
    public void RandomStream_TableMatchesModelAndStaysBounded(int seed, int max)
    {
        var random = new Random(seed);
        var table = new ProcessTable(new EnrichmentOptions { MaxProcesses = max, ProcRoot = _fs.Proc, EtcRoot = _fs.Etc }, new UserResolver(_fs.Etc, new FakeTimeProvider()));
        table.Seed();
        var live = new Dictionary<int, Model> { [1] = new(1, 0, "init", 1 * ProcessTable.NsPerTick) };
        int nextPid = 2;
        ulong now = 1_000_000_000;

        for (int step = 0; step < 20_000; step++)
        {
            now += 1_000_000;
            var pids = live.Keys.ToArray();
            var actor = live[pids[random.Next(pids.Length)]];
            int op = random.Next(10);
            if (op < 3 && live.Count < 200)
            {
                int child = nextPid++;
                var fork = new ProcessEvent { Type = EventType.Clone, Pid = actor.Pid, Tid = actor.Pid, Ppid = actor.Ppid, Comm = actor.Name, ProcStartNs = actor.Start, KTimeNs = now, ChildPid = child, Res = child };
                table.Enrich(fork);
                live[child] = new Model(child, actor.Pid, actor.Name, now - 1000);
            }
            else if (op < 5)
            {
                string name = "p" + random.Next(1000);
                var exec = new ProcessEvent { Type = EventType.Execve, Pid = actor.Pid, Tid = actor.Pid, Ppid = actor.Ppid, Comm = name, ProcStartNs = actor.Start, KTimeNs = now, ExePath = "/bin/" + name, Argv = [name, "-x"] };
                table.Enrich(exec);
                live[actor.Pid] = actor with { Name = name };
            }
            else if (op < 7 && actor.Pid != 1)
            {
                var exit = new ProcessEvent { Type = EventType.ProcExit, Pid = actor.Pid, Tid = actor.Pid, Ppid = actor.Ppid, Comm = actor.Name, ProcStartNs = actor.Start, KTimeNs = now };
                table.Enrich(exit);
                live.Remove(actor.Pid);
                foreach (var orphan in live.Values.Where(m => m.Ppid == actor.Pid).ToList())
                {
                    live[orphan.Pid] = orphan with { Ppid = 1 }; // reparented to init
                }
            }
            else
            {
                var e = new FileEvent { Type = EventType.Openat, Pid = actor.Pid, Tid = actor.Pid, Ppid = actor.Ppid, Comm = actor.Name, ProcStartNs = actor.Start, KTimeNs = now };
                table.Enrich(e);

                // Every event resolves to the right process and its real parent, whatever was evicted before.
                Assert.NotNull(e.Process);
                Assert.False(e.Process!.Exited);
                Assert.Equal(actor.Pid, e.Process.Pid);
                Assert.Equal(actor.Ppid, e.Process.Ppid);
                if (actor.Pid != 1 && max >= 100_000)
                {
                    Assert.Equal(actor.Name, e.Process.Name);
                    Assert.Equal(live[actor.Ppid].Name, e.Process.Parent!.Name);
                }
            }

            Assert.True(table.Count + table.ExitedCount <= max, $"step {step}: {table.Count} + {table.ExitedCount} > {max}");
        }

        if (max >= 100_000)
        {
            Assert.Equal(live.Count, table.Count);
            Assert.Equal(0, table.Evictions);
            foreach (var m in live.Values)
            {
                var info = table.Find(m.Pid)!;
                Assert.Equal(m.Name, info.Name);
                Assert.False(info.Exited);
            }
        }
        else
        {
            Assert.True(table.Evictions > 0);
        }
    }
}
