using Harrier.Events;
using Harrier.Interop;
using Microsoft.Extensions.Logging;

namespace Harrier.Engine.Verdicts;

/// <summary>
/// Decides what a match's verdict does once it reached user space. Deny verdicts for events captured at syscall
/// exit cannot be undone here: they are reported as <c>not-enforced</c> unless an in-kernel path (LSM, cgroup,
/// seccomp) already took them. Kill verdicts in enforce mode SIGKILL the process from user space and record the
/// measured capture-to-kill latency. Runs on the pipeline thread; not thread-safe.
/// </summary>
internal sealed partial class VerdictRouter
{
    private readonly EnforcementOptions _options;
    private readonly ILogger _logger;
    private readonly Func<long> _boottimeNs;
    private readonly Func<string, bool> _enforcedInKernel;
    private long _kills;
    private long _killFailures;

    /// <param name="enforcedInKernel">True for rules an in-kernel mechanism enforces (their decision events carry the
    /// verdict; the syscall event's alert then says so instead of "not-enforced").</param>
    public VerdictRouter(EnforcementOptions options, ILogger logger, Func<long>? boottimeNs = null, Func<string, bool>? enforcedInKernel = null)
    {
        _options = options;
        _logger = logger;
        _boottimeNs = boottimeNs ?? Posix.BoottimeNs;
        _enforcedInKernel = enforcedInKernel ?? (static _ => false);
    }

    public long Kills => Interlocked.Read(ref _kills);

    public long KillFailures => Interlocked.Read(ref _killFailures);

    /// <summary>Applies the verdict for <paramref name="e"/> and returns what was done and, for kills, the latency.</summary>
    public (string Enforced, long? LatencyNs) Apply(RuleAction action, HarrierEvent e, string ruleName)
    {
        if (e is DecisionEvent d)
        {
            // Already decided in the kernel or by seccomp: report what the mechanism did.
            return (string.IsNullOrEmpty(d.Action) ? "none" : d.Action, null);
        }

        switch (action)
        {
            case RuleAction.Alert:
                return ("none", null);
            case RuleAction.Deny when !_options.Enforce:
                return ("would-deny", null);
            case RuleAction.Deny:
                // The syscall already returned: only an in-kernel path could have refused it.
                return (_enforcedInKernel(ruleName) ? (e.Res == -1 ? "denied-in-kernel" : "enforced-in-kernel") : "not-enforced", null);
            case RuleAction.Kill when _enforcedInKernel(ruleName):
                return (_options.Enforce ? "killed-in-kernel" : "would-kill", null);
            case RuleAction.Kill when !_options.Enforce:
                return ("would-kill", null);
            case RuleAction.Kill:
                int err = Signals.Kill(e.Pid, Signals.SigKill);
                long latency = Math.Max(0, _boottimeNs() - (long)e.KTimeNs);
                if (err == 0)
                {
                    Interlocked.Increment(ref _kills);
                    LogKilled(_logger, ruleName, e.Pid, latency / 1000);
                    return ("killed", latency);
                }

                Interlocked.Increment(ref _killFailures);
                LogKillFailed(_logger, ruleName, e.Pid, err);
                return (err == 3 ? "kill-target-gone" : "kill-failed", latency);
            default:
                return ("none", null);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Rule {Rule}: killed pid {Pid} from user space {LatencyUs} us after capture")]
    private static partial void LogKilled(ILogger logger, string rule, int pid, long latencyUs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Rule {Rule}: kill of pid {Pid} failed (errno {Errno})")]
    private static partial void LogKillFailed(ILogger logger, string rule, int pid, int errno);
}
