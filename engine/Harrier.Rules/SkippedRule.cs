using Harrier.Rules.Diagnostics;

namespace Harrier.Rules;

/// <summary>A rule that was valid but not compiled, and why (unsupported field, unknown field with skip-if-unknown-filter).</summary>
public sealed record SkippedRule(string Name, string Reason, SourceLocation Location);
