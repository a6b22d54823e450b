namespace Harrier.Outputs;

/// <summary>The <c>Outputs</c> configuration is invalid; <see cref="Errors"/> lists every problem found.</summary>
public sealed class OutputsConfigurationException(IReadOnlyList<string> errors)
    : Exception("invalid Outputs configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
