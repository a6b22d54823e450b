namespace Harrier.Engine.Enforcement;

/// <summary>The kinds of verdict <see cref="EnforcementPaths"/> reports a mechanism for.</summary>
public enum EnforcementVerdict
{
    /// <summary>Refuse an exec.</summary>
    ExecDeny,

    /// <summary>Refuse an open, unlink or rename.</summary>
    FileDeny,

    /// <summary>Refuse a connect or bind.</summary>
    NetworkDeny,

    /// <summary>Kill the offending process.</summary>
    Kill,
}
