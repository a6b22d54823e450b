namespace Harrier.Engine.Verdicts;

/// <summary>The <c>Enforcement</c> section: whether deny/kill verdicts act or only report.</summary>
internal sealed record EnforcementOptions
{
    public const string SectionName = "Enforcement";

    /// <summary><c>monitor</c>: deny/kill rules raise "would-deny"/"would-kill" alerts and change nothing;
    /// <c>enforce</c>: they act through the strongest mechanism available.</summary>
    public string Mode { get; init; } = "monitor";

    public bool Enforce => Mode == "enforce";

    /// <summary>Remove pinned BPF LSM programs and maps when Harrier stops. Off by default: the last policy stays in
    /// force across a restart or crash until the next Harrier takes over (<c>harrier stop --unpin</c> removes it).</summary>
    public bool UnpinOnStop { get; init; }

    public IReadOnlyList<string> Validate() =>
        Mode is "monitor" or "enforce" ? [] : [$"Enforcement:Mode must be 'monitor' or 'enforce' (got '{Mode}')"];
}
