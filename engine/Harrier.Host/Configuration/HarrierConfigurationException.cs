namespace Harrier.Host.Configuration;

/// <summary>
/// The configuration could not be loaded or is invalid. <see cref="Errors"/> holds every problem found (not just
/// the first), each a self-contained line naming the file or key; the CLI prints them and exits non-zero.
/// </summary>
internal sealed class HarrierConfigurationException : Exception
{
    public HarrierConfigurationException(IReadOnlyList<string> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }

    private static string Format(IReadOnlyList<string> errors) =>
        errors.Count == 1 ? "Invalid configuration: " + errors[0] : $"Invalid configuration ({errors.Count} errors):\n  " + string.Join("\n  ", errors);
}
