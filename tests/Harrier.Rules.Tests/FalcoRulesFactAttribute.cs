namespace Harrier.Rules.Tests;

/// <summary>A fact that is reported as skipped (with the reason) when Falco's rule file is not beside the checkout.</summary>
public sealed class FalcoRulesFactAttribute : FactAttribute
{
    public FalcoRulesFactAttribute()
    {
        if (TestPaths.FalcoRules is null)
        {
            Skip = "shared/falco-rules/falco_rules.yaml not found beside the checkout (walked up from the test's base directory)";
        }
    }
}
