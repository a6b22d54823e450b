namespace Harrier.Seccomp.Profiles;

/// <summary>Names of <see cref="SeccompAction"/> as written in Harrier profiles and in OCI seccomp JSON.</summary>
public static class SeccompActions
{
    /// <summary>The profile spelling: <c>allow</c>, <c>errno</c>, <c>kill</c>, <c>kill_process</c>, <c>log</c>, <c>trace</c>, <c>notify</c>, <c>trap</c>.</summary>
    public static string Name(SeccompAction action) => action switch
    {
        SeccompAction.Allow => "allow",
        SeccompAction.Errno => "errno",
        SeccompAction.Kill => "kill",
        SeccompAction.KillProcess => "kill_process",
        SeccompAction.Log => "log",
        SeccompAction.Trace => "trace",
        SeccompAction.Notify => "notify",
        SeccompAction.Trap => "trap",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>Parses the profile spelling (case-insensitive; <c>kill_thread</c> is accepted for <c>kill</c>).</summary>
    public static bool TryParse(string? text, out SeccompAction action)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "allow": action = SeccompAction.Allow; return true;
            case "errno": action = SeccompAction.Errno; return true;
            case "kill" or "kill_thread": action = SeccompAction.Kill; return true;
            case "kill_process": action = SeccompAction.KillProcess; return true;
            case "log": action = SeccompAction.Log; return true;
            case "trace": action = SeccompAction.Trace; return true;
            case "notify": action = SeccompAction.Notify; return true;
            case "trap": action = SeccompAction.Trap; return true;
            default: action = SeccompAction.Allow; return false;
        }
    }

    /// <summary>The OCI runtime-spec name (<c>SCMP_ACT_ALLOW</c>...).</summary>
    public static string OciName(SeccompAction action) => action switch
    {
        SeccompAction.Allow => "SCMP_ACT_ALLOW",
        SeccompAction.Errno => "SCMP_ACT_ERRNO",
        SeccompAction.Kill => "SCMP_ACT_KILL_THREAD",
        SeccompAction.KillProcess => "SCMP_ACT_KILL_PROCESS",
        SeccompAction.Log => "SCMP_ACT_LOG",
        SeccompAction.Trace => "SCMP_ACT_TRACE",
        SeccompAction.Notify => "SCMP_ACT_NOTIFY",
        SeccompAction.Trap => "SCMP_ACT_TRAP",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>Parses an OCI action name (<c>SCMP_ACT_KILL</c> is the thread kill, as in runc).</summary>
    public static bool TryParseOci(string? text, out SeccompAction action)
    {
        switch (text)
        {
            case "SCMP_ACT_ALLOW": action = SeccompAction.Allow; return true;
            case "SCMP_ACT_ERRNO": action = SeccompAction.Errno; return true;
            case "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD": action = SeccompAction.Kill; return true;
            case "SCMP_ACT_KILL_PROCESS": action = SeccompAction.KillProcess; return true;
            case "SCMP_ACT_LOG": action = SeccompAction.Log; return true;
            case "SCMP_ACT_TRACE": action = SeccompAction.Trace; return true;
            case "SCMP_ACT_NOTIFY": action = SeccompAction.Notify; return true;
            case "SCMP_ACT_TRAP": action = SeccompAction.Trap; return true;
            default: action = SeccompAction.Allow; return false;
        }
    }

    /// <summary>True for the actions that carry a 16-bit data value (errno for <c>errno</c>, the tracer's message for <c>trace</c>).</summary>
    public static bool TakesErrno(SeccompAction action) => action is SeccompAction.Errno or SeccompAction.Trace;
}
