using Harrier.Kernel.Tests.Observation;

namespace Harrier.Kernel.Tests.Pipeline;

/// <summary>A kernel fact that also needs Falco's stable rules beside the checkout (../shared/falco-rules).</summary>
public sealed class FalcoRulesFactAttribute : FactAttribute
{
    public FalcoRulesFactAttribute()
    {
        Skip = KernelFactAttribute.MissingRequirement()
            ?? (FalcoRulesFixture.FindFalcoRules() is null ? "Falco's stable rules (shared/falco-rules beside the checkout) are not here" : null);
    }
}
