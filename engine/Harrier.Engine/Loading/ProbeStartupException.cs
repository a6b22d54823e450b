namespace Harrier.Engine.Loading;

/// <summary>
/// The probes cannot start here. <see cref="Exception.Message"/> is one line saying what is wrong and how to fix
/// it (for the CLI, which exits non-zero); <see cref="Exception.InnerException"/> keeps the libbpf detail.
/// </summary>
internal sealed class ProbeStartupException : Exception
{
    public ProbeStartupException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
