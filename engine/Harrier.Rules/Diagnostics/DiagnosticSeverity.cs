namespace Harrier.Rules.Diagnostics;

public enum DiagnosticSeverity : byte
{
    Warning = 0,
    Error = 1,
}
