namespace Harrier.Rules.Reading;

/// <summary>The top-level item kinds of a Falco rule file.</summary>
internal enum RuleItemKind : byte
{
    Rule,
    Macro,
    List,
    RequiredEngineVersion,
    RequiredPluginVersions,
}
