namespace Harrier.Rules;

/// <summary>Falco's <c>rule_matching</c>: report every matching rule (default), or only the first in load order.</summary>
public enum RuleMatchingMode : byte
{
    All = 0,
    First = 1,
}
