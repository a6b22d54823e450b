namespace Harrier.Outputs.Kafka;

/// <summary>Registers the <c>kafka</c> sink type with <see cref="SinkFactories"/>. The host calls <see cref="Register"/> once at start-up.</summary>
public static class KafkaSinks
{
    public const string Type = "kafka";

    /// <summary>Idempotent. Kafka sinks spool by default (write-ahead: every alert is on disk before it is produced).</summary>
    public static void Register() => SinkFactories.Register(
        Type,
        spoolByDefault: true,
        (options, prefix) =>
        {
            var errors = new List<string>();
            KafkaSinkSettings.Parse(options, errors, prefix);
            return errors;
        },
        context => new KafkaAlertSink(context));
}
