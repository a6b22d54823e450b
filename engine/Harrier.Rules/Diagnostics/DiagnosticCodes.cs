namespace Harrier.Rules.Diagnostics;

/// <summary>Stable diagnostic codes. HR1xxx: reading; HR2xxx: collecting; HR3xxx: conditions and compiling.</summary>
public static class DiagnosticCodes
{
    public const string FileNotFound = "HR1001";
    public const string YamlSyntax = "HR1002";
    public const string NotASequence = "HR1003";
    public const string ItemNotAMapping = "HR1004";
    public const string UnknownItem = "HR1005";
    public const string MissingKey = "HR1006";
    public const string WrongType = "HR1007";
    public const string UnknownKey = "HR1008";
    public const string InvalidPriority = "HR1009";
    public const string InvalidAction = "HR1010";
    public const string EngineVersion = "HR1011";
    public const string PluginRequirement = "HR1012";
    public const string InvalidException = "HR1013";
    public const string FileTooLarge = "HR1014";
    public const string EmptyFile = "HR1015";

    public const string AppendWithoutBase = "HR2001";
    public const string OverrideInvalid = "HR2002";
    public const string AppendAndOverride = "HR2004";

    public const string ConditionSyntax = "HR3001";
    public const string UnknownField = "HR3002";
    public const string UnsupportedField = "HR3003";
    public const string UndefinedMacro = "HR3004";
    public const string ReferenceLoop = "HR3005";
    public const string InvalidOperand = "HR3006";
    public const string InvalidRegex = "HR3007";
    public const string NoEventTypes = "HR3008";
    public const string NeverMatches = "HR3009";
    public const string OutputField = "HR3010";
    public const string UnusedMacro = "HR3011";
    public const string UnusedList = "HR3012";
    public const string UnknownEventType = "HR3013";
    public const string NrulesCompile = "HR3014";
    public const string UnknownSource = "HR3015";

    /// <summary>A <c>sequence:</c> or <c>threshold:</c> block is malformed, or its key or distinct field is unusable.</summary>
    public const string InvalidCorrelation = "HR3016";
}
