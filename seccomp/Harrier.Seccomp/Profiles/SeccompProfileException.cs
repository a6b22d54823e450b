namespace Harrier.Seccomp.Profiles;

/// <summary>A profile could not be read or is invalid. <see cref="Errors"/> holds every problem found, each as <c>file:line: message</c>.</summary>
public sealed class SeccompProfileException : Exception
{
    public SeccompProfileException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public SeccompProfileException(string error)
        : this(new[] { error })
    {
    }

    public IReadOnlyList<string> Errors { get; }
}
