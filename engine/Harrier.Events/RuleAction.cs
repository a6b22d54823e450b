namespace Harrier.Events;

/// <summary>The verdict a rule asks for (Harrier's <c>action:</c> key).</summary>
public enum RuleAction : byte
{
    Alert = 0,
    Deny = 1,
    Kill = 2,
}
