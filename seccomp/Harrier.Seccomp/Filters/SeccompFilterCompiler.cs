using System.Collections.Immutable;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Filters;

/// <summary>
/// Compiles a <see cref="SeccompProfile"/> into a classic BPF seccomp program:
/// <list type="number">
/// <item>the architecture must be AUDIT_ARCH_X86_64, else the process is killed (i386 via int 0x80);</item>
/// <item>syscall numbers with the x32 bit are killed (nr -1, a syscall skipped by a tracer, gets the default);</item>
/// <item>the number is then found by a balanced binary search over ranges of equal action
/// (runs of neighbouring syscalls with one action, and the gaps between listed calls, collapse into one range),
/// so a decision costs about log2(ranges) comparisons however long the profile is.</item>
/// </list>
/// Conditional jumps beyond 255 instructions go through a <c>ja</c> trampoline. Profiles with <c>notify</c> also
/// refuse <c>seccomp()</c> with SECCOMP_FILTER_FLAG_NEW_LISTENER (EPERM), so the workload cannot take the
/// notifications over with a stacked filter of its own. Stateless and thread-safe.
/// </summary>
public static class SeccompFilterCompiler
{
    /// <summary>__NR_seccomp on x86_64.</summary>
    private const uint SeccompNr = 317;

    /// <summary>Compiles the profile. Throws <see cref="SeccompProfileException"/> if the program would exceed BPF_MAXINSNS.</summary>
    public static SeccompFilter Compile(SeccompProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        uint defaultRet = ReturnValue(profile.DefaultAction, profile.DefaultErrno);

        var byNumber = new SortedDictionary<int, uint>();
        foreach (var rule in profile.Syscalls)
        {
            uint ret = ReturnValue(rule.Action, rule.Errno);
            foreach (var name in rule.Names)
            {
                if (!SyscallTable.TryGetNumber(name, out int nr))
                {
                    throw new SeccompProfileException($"{profile.Source}:{rule.Line}: unknown syscall '{name}'");
                }

                byNumber[nr] = ret;
            }
        }

        var segments = BuildSegments(byNumber, defaultRet);
        bool notify = defaultRet == SeccompConstants.RetUserNotif || byNumber.Values.Any(v => v == SeccompConstants.RetUserNotif);
        var program = new List<SockFilter>
        {
            new(SockFilter.LdAbsW, 0, 0, SeccompConstants.OffsetArch),
            new(SockFilter.JeqK, 1, 0, SeccompConstants.AuditArchX86_64),
            new(SockFilter.RetK, 0, 0, SeccompConstants.RetKillProcess),
            new(SockFilter.LdAbsW, 0, 0, SeccompConstants.OffsetNr),
            new(SockFilter.JgeK, 0, 3, SeccompConstants.X32SyscallBit),
            new(SockFilter.JeqK, 1, 0, uint.MaxValue),
            new(SockFilter.RetK, 0, 0, SeccompConstants.RetKillProcess),
            new(SockFilter.RetK, 0, 0, defaultRet),
        };
        if (notify)
        {
            // A workload could stack its own filter returning USER_NOTIF for the same syscalls: the most recently
            // added notifying filter takes precedence, so its own listener would answer (CONTINUE) instead of
            // Harrier. Refuse seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, ...) with EPERM;
            // every other use of seccomp() gets the profile's action.
            program.Add(new SockFilter(SockFilter.JeqK, 0, 3, SeccompNr));
            program.Add(new SockFilter(SockFilter.LdAbsW, 0, 0, SeccompConstants.OffsetArgs + 8)); // args[1], low 32 bits
            program.Add(new SockFilter(SockFilter.JsetK, 0, 1, SeccompConstants.FilterFlagNewListener));
            program.Add(new SockFilter(SockFilter.RetK, 0, 0, SeccompConstants.RetErrno | 1));
            program.Add(new SockFilter(SockFilter.LdAbsW, 0, 0, SeccompConstants.OffsetNr));
        }

        program.AddRange(EmitTree(segments, 0, segments.Count - 1));
        if (program.Count > SeccompConstants.MaxInstructions)
        {
            throw new SeccompProfileException($"{profile.Source}: the compiled filter has {program.Count} instructions, more than the kernel's {SeccompConstants.MaxInstructions}");
        }

        return new SeccompFilter(program.ToImmutableArray(), notify);
    }

    /// <summary>The SECCOMP_RET_* value for an action; <paramref name="data"/> is the errno or trace message.</summary>
    public static uint ReturnValue(SeccompAction action, int? data) => action switch
    {
        SeccompAction.Allow => SeccompConstants.RetAllow,
        SeccompAction.Errno => SeccompConstants.RetErrno | ((uint)(data ?? 1) & SeccompConstants.RetData),
        SeccompAction.Kill => SeccompConstants.RetKillThread,
        SeccompAction.KillProcess => SeccompConstants.RetKillProcess,
        SeccompAction.Log => SeccompConstants.RetLog,
        SeccompAction.Trace => SeccompConstants.RetTrace | ((uint)(data ?? 0) & SeccompConstants.RetData),
        SeccompAction.Notify => SeccompConstants.RetUserNotif,
        SeccompAction.Trap => SeccompConstants.RetTrap,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>Ranges [Start, next Start) of the 64-bit syscall space with one return value each, merged.</summary>
    private static List<(uint Start, uint Ret)> BuildSegments(SortedDictionary<int, uint> byNumber, uint defaultRet)
    {
        var raw = new List<(uint Start, uint Ret)>();
        uint cursor = 0;
        foreach (var (nr, ret) in byNumber)
        {
            if ((uint)nr > cursor)
            {
                raw.Add((cursor, defaultRet));
            }

            raw.Add(((uint)nr, ret));
            cursor = (uint)nr + 1;
        }

        if (cursor < SeccompConstants.X32SyscallBit)
        {
            raw.Add((cursor, defaultRet));
        }

        var merged = new List<(uint Start, uint Ret)>(raw.Count);
        foreach (var seg in raw)
        {
            if (merged.Count > 0 && merged[^1].Ret == seg.Ret)
            {
                continue;
            }

            merged.Add(seg);
        }

        return merged;
    }

    private static List<SockFilter> EmitTree(List<(uint Start, uint Ret)> segments, int lo, int hi)
    {
        if (lo == hi)
        {
            return [new SockFilter(SockFilter.RetK, 0, 0, segments[lo].Ret)];
        }

        int mid = (lo + hi + 1) / 2;
        var left = EmitTree(segments, lo, mid - 1);
        var right = EmitTree(segments, mid, hi);
        var code = new List<SockFilter>(left.Count + right.Count + 2);
        if (left.Count <= byte.MaxValue)
        {
            // A >= boundary: skip the left subtree; else fall into it.
            code.Add(new SockFilter(SockFilter.JgeK, (byte)left.Count, 0, segments[mid].Start));
        }
        else
        {
            code.Add(new SockFilter(SockFilter.JgeK, 0, 1, segments[mid].Start));
            code.Add(new SockFilter(SockFilter.Ja, 0, 0, (uint)left.Count));
        }

        code.AddRange(left);
        code.AddRange(right);
        return code;
    }
}
