using Microsoft.Extensions.Logging;

namespace Harrier.Engine.Enforcement;

/// <summary>Log messages of the BPF LSM enforcer (event ids 5100-5119).</summary>
internal static partial class LsmLog
{
    [LoggerMessage(5100, LogLevel.Information, "BPF LSM enforcement loaded: {Programs} programs attached and pinned under {PinRoot}")]
    public static partial void Loaded(ILogger logger, int programs, string pinRoot);

    [LoggerMessage(5101, LogLevel.Information, "BPF LSM enforcement reused from {PinRoot}: {Programs} pinned programs, {Policies} policy entries in force")]
    public static partial void Reused(ILogger logger, string pinRoot, int programs, int policies);

    [LoggerMessage(5102, LogLevel.Information, "Applied {Count} enforcement policies")]
    public static partial void Applied(ILogger logger, int count);

    [LoggerMessage(5103, LogLevel.Warning, "Enforcement policy rejected: {Error}")]
    public static partial void Rejected(ILogger logger, string error);

    [LoggerMessage(5104, LogLevel.Information, "Self-protection {State} for pid {Pid}")]
    public static partial void SelfProtection(ILogger logger, string state, int pid);

    [LoggerMessage(5105, LogLevel.Warning, "Replaced {Count} link pins under {PinRoot} (incomplete set or another object version); maps and policy are kept")]
    public static partial void StaleLinks(ILogger logger, int count, string pinRoot);

    [LoggerMessage(5106, LogLevel.Warning, "Malformed LSM decision record ({Length} bytes) dropped")]
    public static partial void Malformed(ILogger logger, int length);

    [LoggerMessage(5107, LogLevel.Information, "BPF LSM pins removed from {PinRoot}")]
    public static partial void Unpinned(ILogger logger, string pinRoot);

    [LoggerMessage(5108, LogLevel.Information, "Removed {Count} BPF LSM policy entries under {PinRoot} that the current policy does not have (left by an earlier run or rule set)")]
    public static partial void Removed(ILogger logger, int count, string pinRoot);
}
