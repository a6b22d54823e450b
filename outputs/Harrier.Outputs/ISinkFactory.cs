namespace Harrier.Outputs;

/// <summary>Builds one type of sink (<c>console</c>, <c>file</c>, <c>kafka</c>...) from its configuration section.</summary>
public interface ISinkFactory
{
    /// <summary>Whether sinks of this type go through the on-disk spool unless the sink says <c>Spool: false</c>.</summary>
    bool SpoolByDefault { get; }

    /// <summary>Every problem in the type-specific settings (<see cref="SinkOptions.Settings"/>), each as one line; empty when valid.</summary>
    IReadOnlyList<string> Validate(SinkOptions options, string prefix);

    /// <summary>Builds the sink. Called only with options that passed <see cref="Validate"/>.</summary>
    IAlertSink Create(SinkContext context);
}
