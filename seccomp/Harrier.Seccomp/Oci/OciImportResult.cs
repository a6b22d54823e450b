using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Oci;

/// <summary>The profile read from OCI JSON and what was dropped or ignored on the way (lenient mode only).</summary>
public sealed record OciImportResult(SeccompProfile Profile, IReadOnlyList<string> Warnings);
