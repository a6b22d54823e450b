namespace Harrier.Seccomp.Profiles;

/// <summary>
/// A validated seccomp profile: the default action for unlisted syscalls and per-syscall overrides.
/// Only x86_64 is supported (the compiled filter kills i386 and x32 calls). Immutable and thread-safe.
/// Build with <see cref="SeccompProfileLoader"/> or <see cref="Oci.OciSeccompConverter"/>.
/// </summary>
public sealed record SeccompProfile
{
    /// <summary>The action for syscalls no entry lists.</summary>
    public required SeccompAction DefaultAction { get; init; }

    /// <summary>The errno of an <c>errno</c> default (EPERM when unset).</summary>
    public int? DefaultErrno { get; init; }

    /// <summary>Architectures in profile spelling; always <c>x86_64</c> today.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = ["x86_64"];

    public IReadOnlyList<SeccompRule> Syscalls { get; init; } = Array.Empty<SeccompRule>();

    /// <summary>Where the profile came from (a path), for messages.</summary>
    public string Source { get; init; } = "<memory>";

    /// <summary>True when some syscall (or the default) is answered by the user-space supervisor.</summary>
    public bool UsesNotify => DefaultAction == SeccompAction.Notify || Syscalls.Any(r => r.Action == SeccompAction.Notify);
}
