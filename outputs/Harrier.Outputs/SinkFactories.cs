using System.Collections.Concurrent;
using Harrier.Outputs.Sinks;

namespace Harrier.Outputs;

/// <summary>
/// Registry of sink types by name (case-insensitive). <c>console</c>, <c>file</c> and <c>serilog</c> (any Serilog sink, configured as Serilog.Settings.Configuration reads it) are built in; the host registers
/// others before building the dispatcher (Kafka: <c>Harrier.Outputs.Kafka.KafkaSinks.Register()</c>). Thread-safe.
/// </summary>
public static class SinkFactories
{
    private static readonly ConcurrentDictionary<string, ISinkFactory> s_factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["console"] = new DelegateFactory(false, ConsoleAlertSink.Validate, c => new ConsoleAlertSink(c.Options)),
        ["file"] = new DelegateFactory(false, FileAlertSink.Validate, c => new FileAlertSink(c.Options)),
        ["serilog"] = new DelegateFactory(false, ConfiguredSerilogAlertSink.Validate, c => new ConfiguredSerilogAlertSink(c.Options)),
    };

    private static readonly Dictionary<string, string> s_optional = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kafka"] = "Harrier.Outputs.Kafka.KafkaSinks, Harrier.Outputs.Kafka",
    };

    /// <summary>Registered types plus the optional ones that register themselves on first request.</summary>
    public static IReadOnlyCollection<string> Types
        => s_factories.Keys.Concat(s_optional.Keys).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToArray();

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

    /// <summary>
    /// The factory for <paramref name="type"/>. Sink types that live in optional assemblies beside this one
    /// (<c>kafka</c> → Harrier.Outputs.Kafka) register themselves on first request if the host has not done so.
    /// </summary>
    public static bool TryGet(string type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ISinkFactory? factory)
    {
        if (s_factories.TryGetValue(type ?? string.Empty, out factory))
        {
            return true;
        }

        if (s_optional.TryGetValue(type ?? string.Empty, out string? registrar))
        {
            try
            {
                Type.GetType(registrar, throwOnError: false)?.GetMethod("Register", Type.EmptyTypes)?.Invoke(null, null);
            }
            catch (Exception e) when (e is System.Reflection.TargetInvocationException or IOException or BadImageFormatException)
            {
                // Not deployed or broken: reported as an unknown type by the caller.
            }
        }

        return s_factories.TryGetValue(type ?? string.Empty, out factory);
    }

    private sealed class DelegateFactory(bool spoolByDefault, Func<SinkOptions, string, IReadOnlyList<string>> validate, Func<SinkContext, IAlertSink> create) : ISinkFactory
    {
        public bool SpoolByDefault => spoolByDefault;

        public IReadOnlyList<string> Validate(SinkOptions options, string prefix) => validate(options, prefix);

        public IAlertSink Create(SinkContext context) => create(context);
    }
}
