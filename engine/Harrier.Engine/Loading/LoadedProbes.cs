using Harrier.Engine.Abi;
using Harrier.Events;
using Harrier.Interop.Bpf;

namespace Harrier.Engine.Loading;

/// <summary>
/// The loaded and attached probe object: map fds for the consumer and statistics, and the interesting-syscall
/// set. Dispose detaches every program and frees the maps. <see cref="SetInterestingTypes"/> and the statistics
/// readers are thread-safe (single bpf(2) calls).
/// </summary>
internal sealed class LoadedProbes : IDisposable
{
    private readonly BpfObjectHandle _obj;
    private readonly List<BpfLinkHandle> _links;
    private readonly int _possibleCpus;

    internal LoadedProbes(BpfObjectHandle obj, List<BpfLinkHandle> links, int eventsFd, int interestingFd, int lostFd, int errorsFd)
    {
        _obj = obj;
        _links = links;
        EventsFd = eventsFd;
        InterestingFd = interestingFd;
        LostFd = lostFd;
        ErrorsFd = errorsFd;
        _possibleCpus = Math.Max(1, Libbpf.libbpf_num_possible_cpus());
    }

    /// <summary>fd of the <c>events</c> ring buffer map.</summary>
    public int EventsFd { get; }

    public int InterestingFd { get; }

    public int LostFd { get; }

    public int ErrorsFd { get; }

    /// <summary>The object's program names attached, for diagnostics.</summary>
    public int AttachedPrograms => _links.Count;

    /// <summary>Replaces the set of captured syscall types (fork/exec/exit stay on).</summary>
    /// <exception cref="BpfException">The map update failed.</exception>
    public void SetInterestingTypes(IEnumerable<EventType> types)
    {
        uint[] map = SyscallTable.BuildInterestingMap(types);
        Libbpf.WriteU32Array(InterestingFd, map);
    }

    /// <summary>Kernel-side losses (ring buffer full) per op code, summed over CPUs.</summary>
    public ulong[] ReadLost()
    {
        var result = new ulong[AbiConstants.OpMax];
        Span<ulong> scratch = stackalloc ulong[_possibleCpus];
        for (uint op = 0; op < AbiConstants.OpMax; op++)
        {
            result[op] = Libbpf.SumPerCpu(LostFd, op, scratch);
        }

        return result;
    }

    /// <summary>Kernel helper failures by enum err_kind.</summary>
    public ulong[] ReadHelperErrors()
    {
        var result = new ulong[AbiConstants.HelperErrorNames.Length];
        Span<ulong> scratch = stackalloc ulong[_possibleCpus];
        for (uint k = 0; k < result.Length; k++)
        {
            result[k] = Libbpf.SumPerCpu(ErrorsFd, k, scratch);
        }

        return result;
    }

    public void Dispose()
    {
        foreach (var l in _links)
        {
            l.Dispose();
        }

        _links.Clear();
        _obj.Dispose();
    }
}
