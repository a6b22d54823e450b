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

    /// <summary><c>Enforcement:Lsm</c>: pin directory and self-protection.</summary>
    public LsmSectionOptions Lsm { get; init; } = new();

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Mode is not ("monitor" or "enforce"))
        {
            errors.Add($"Enforcement:Mode must be 'monitor' or 'enforce' (got '{Mode}')");
        }

        errors.AddRange(Lsm?.Validate() ?? ["Enforcement:Lsm must be an object"]);
        return errors;
    }
}
