using System.Diagnostics;
using Harrier.Engine.Ingest;
using Harrier.Engine.Loading;
using Harrier.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Kernel.Tests.Observation;

/// <summary>
/// Loads the probes once for the kernel tests with every type enabled and records (cloned) the events of this
/// process's descendants. Tests start a helper program and wait for its events with <see cref="WaitFor{T}"/>.
/// </summary>
public sealed class ProbeFixture : IDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5); // only a failing wait runs out: room for a loaded CI machine

    private readonly object _gate = new();
    private readonly List<HarrierEvent> _events = new();
    private readonly HashSet<int> _descendants = new();
    private readonly int _self = Environment.ProcessId;

    public ProbeFixture()
    {
        if (KernelFactAttribute.MissingRequirement() is not null)
        {
            return;
        }

        Source = KernelEventSource.Open(new ProbeOptions { WakeupThresholdBytes = 0, PollTimeoutMs = 1, ChannelCapacity = 1024 }, NullLoggerFactory.Instance);
        Source.SetInterestingTypes(EventTypes.All.ToArray());
        Source.Start(OnBatch);
    }

    internal KernelEventSource? Source { get; }

    public string Trigger => TestPaths.Tool("trigger")!;

    private void OnBatch(ReadOnlySpan<HarrierEvent> batch)
    {
        lock (_gate)
        {
            bool added = false;
            foreach (var e in batch)
            {
                if (e.Comm == "storm")
                {
                    continue; // the pipeline benchmark's workload: millions of opens nobody here asserts on
                }

                if (e.Ppid == _self || _descendants.Contains(e.Ppid) || _descendants.Contains(e.Pid))
                {
                    _descendants.Add(e.Pid);
                    if (e is ProcessEvent { ChildPid: > 0 } pe)
                    {
                        _descendants.Add(pe.ChildPid);
                    }

                    _events.Add(e.CloneEvent());
                    added = true;
                }
            }

            if (added)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Runs a program to completion and returns its pid.</summary>
    public int Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        lock (_gate)
        {
            _descendants.Add(p.Id);
        }

        p.WaitForExit();
        return p.Id;
    }

    /// <summary>Runs the trigger helper with the given action and returns its pid.</summary>
    public int RunTrigger(params string[] args) => Run(Trigger, args);

    /// <summary>The first recorded event of type T from <paramref name="pid"/> matching the predicate,
    /// waiting up to <see cref="Deadline"/> after the call; null when it did not come.</summary>
    public T? WaitFor<T>(int pid, Func<T, bool> match)
        where T : HarrierEvent
    {
        var until = Stopwatch.GetTimestamp() + (long)(Deadline.TotalSeconds * Stopwatch.Frequency);
        lock (_gate)
        {
            while (true)
            {
                foreach (var e in _events)
                {
                    if (e.Pid == pid && e is T t && match(t))
                    {
                        return t;
                    }
                }

                long left = until - Stopwatch.GetTimestamp();
                if (left <= 0)
                {
                    return null;
                }

                Monitor.Wait(_gate, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
            }
        }
    }

    /// <summary>Every recorded event of a pid (diagnostics for failed assertions).</summary>
    public string Describe(int pid)
    {
        lock (_gate)
        {
            var st = Source?.Stats;
            string stats = st is null ? string.Empty
                : $"\nstats: received={st.Received} kernelLost={st.KernelLost} userLost={st.UserLost} decodeErrors={st.DecodeErrors} helper=[{string.Join(",", st.HelperErrors.Select(kv => kv.Key + "=" + kv.Value))}]";
            return string.Join("\n", _events.Where(e => e.Pid == pid).Select(e => $"{e.Type} res={e.Res} {Summ(e)}")) + stats;
        }
    }

    private static string Summ(HarrierEvent e) => e switch
    {
        FileEvent f => $"path={f.Path} raw={f.RawPath} new={f.NewPath}",
        ProcessEvent p => $"file={p.Filename} exe={p.ExePath} argv=[{string.Join(",", p.Argv)}] child={p.ChildPid}",
        NetworkEvent n => $"local={n.Local} remote={n.Remote}",
        PrivilegeEvent v => $"id0={v.Id0} name={v.Name} fd={v.FdName}",
        _ => string.Empty,
    };

    public void Dispose() => Source?.Dispose();
}
