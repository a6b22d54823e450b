using System.Collections.Concurrent;
using Harrier.Outputs.Sinks;

namespace Harrier.Outputs;

/// <summary>
/// Registry of sink types by name (case-insensitive). <c>console</c> and <c>file</c> are built in; the host registers
/// others before building the dispatcher (Kafka: <c>Harrier.Outputs.Kafka.KafkaSinks.Register()</c>). Thread-safe.
/// </summary>
public static class SinkFactories
{
    private static readonly ConcurrentDictionary<string, ISinkFactory> s_factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["console"] = new DelegateFactory(false, ConsoleAlertSink.Validate, c => new ConsoleAlertSink(c.Options)),
        ["file"] = new DelegateFactory(false, FileAlertSink.Validate, c => new FileAlertSink(c.Options)),
    };

    public static IReadOnlyCollection<string> Types => s_factories.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Adds or replaces the factory for <paramref name="type"/>.</summary>
    public static void Register(string type, ISinkFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(factory);
        s_factories[type] = factory;
    }

    /// <summary>Adds or replaces a factory built from delegates.</summary>
    public static void Register(string type, bool spoolByDefault, Func<SinkOptions, string, IReadOnlyList<string>> validate, Func<SinkContext, IAlertSink> create)
        => Register(type, new DelegateFactory(spoolByDefault, validate, create));

    public static bool TryGet(string type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ISinkFactory? factory)
        => s_factories.TryGetValue(type ?? string.Empty, out factory);

    private sealed class DelegateFactory(bool spoolByDefault, Func<SinkOptions, string, IReadOnlyList<string>> validate, Func<SinkContext, IAlertSink> create) : ISinkFactory
    {
        public bool SpoolByDefault => spoolByDefault;

        public IReadOnlyList<string> Validate(SinkOptions options, string prefix) => validate(options, prefix);

        public IAlertSink Create(SinkContext context) => create(context);
    }
}
