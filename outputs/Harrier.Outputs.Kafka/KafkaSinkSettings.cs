using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Harrier.Outputs.Kafka;

/// <summary>
/// The Kafka sink's own keys of a <c>Outputs:Sinks</c> entry: <c>BootstrapServers</c> (host:port[,host:port...]),
/// <c>Topic</c> (default <c>harrier-alerts</c>), <c>Key</c> (hostname|rule|none, default hostname), <c>Compression</c>
/// (none|gzip|snappy|lz4|zstd, default lz4), <c>LingerMs</c> (default 5), <c>MessageTimeoutMs</c> (default 0: librdkafka
/// retries until delivered; the spool bounds memory), and <c>Properties</c>: librdkafka settings copied verbatim into the
/// producer config (TLS/SASL: <c>security.protocol</c>, <c>ssl.ca.location</c>, <c>sasl.mechanism</c>, <c>sasl.username</c>...).
/// <c>enable.idempotence</c> and <c>acks</c> cannot be overridden: the no-loss, no-duplicate-on-retry guarantee needs them.
/// </summary>
internal sealed partial record KafkaSinkSettings
{
    private static readonly string[] s_known = ["BootstrapServers", "Topic", "Key", "Compression", "LingerMs", "MessageTimeoutMs"];

    public string BootstrapServers { get; init; } = string.Empty;

    public string Topic { get; init; } = "harrier-alerts";

    public string Key { get; init; } = "hostname";

    public CompressionType Compression { get; init; } = CompressionType.Lz4;

    public int LingerMs { get; init; } = 5;

    public int MessageTimeoutMs { get; init; }

    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    public static KafkaSinkSettings Parse(SinkOptions o, List<string>? errors = null, string prefix = "")
    {
        errors ??= new List<string>();
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, string? value) in o.Settings)
        {
            if (key.StartsWith("Properties:", StringComparison.OrdinalIgnoreCase))
            {
                string name = key["Properties:".Length..];
                if (name.Equals("enable.idempotence", StringComparison.OrdinalIgnoreCase) || name.Equals("acks", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("request.required.acks", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{prefix}:Properties:{name} cannot be overridden (the sink needs enable.idempotence=true, acks=all)");
                }
                else if (value is not null)
                {
                    props[name] = value;
                }
            }
            else if (!s_known.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}:{key}: unknown key for a kafka sink (known: {string.Join(", ", s_known)}, Properties)");
            }
        }

        bool mock = props.ContainsKey("test.mock.num.brokers");
        string servers = o.Get("BootstrapServers", string.Empty)!.Trim();
        if (servers.Length == 0 && !mock)
        {
            errors.Add($"{prefix}:BootstrapServers is required for a kafka sink");
        }
        else if (servers.Length > 0)
        {
            foreach (string part in servers.Split(','))
            {
                Match m = BrokerRegex().Match(part.Trim());
                if (!m.Success || !int.TryParse(m.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
                {
                    errors.Add($"{prefix}:BootstrapServers entry '{part.Trim()}' is not host:port (port 1-65535)");
                }
            }
        }

        string topic = o.Get("Topic", "harrier-alerts")!;
        if (!TopicRegex().IsMatch(topic) || topic is "." or "..")
        {
            errors.Add($"{prefix}:Topic '{topic}' is not a legal Kafka topic name (1-249 of [a-zA-Z0-9._-])");
        }

        string keyMode = o.Get("Key", "hostname")!.Trim().ToLowerInvariant();
        if (keyMode is not ("hostname" or "rule" or "none"))
        {
            errors.Add($"{prefix}:Key '{keyMode}' is unknown (known: hostname, rule, none)");
        }

        CompressionType compression = CompressionType.Lz4;
        switch (o.Get("Compression", "lz4")!.Trim().ToLowerInvariant())
        {
            case "none": compression = CompressionType.None; break;
            case "gzip": compression = CompressionType.Gzip; break;
            case "snappy": compression = CompressionType.Snappy; break;
            case "lz4": compression = CompressionType.Lz4; break;
            case "zstd": compression = CompressionType.Zstd; break;
            default: errors.Add($"{prefix}:Compression '{o.Get("Compression")}' is unknown (known: none, gzip, snappy, lz4, zstd)"); break;
        }

        return new KafkaSinkSettings
        {
            BootstrapServers = servers,
            Topic = topic,
            Key = keyMode,
            Compression = compression,
            LingerMs = IntSetting(o, "LingerMs", 5, 0, 900_000, errors, prefix),
            MessageTimeoutMs = IntSetting(o, "MessageTimeoutMs", 0, 0, int.MaxValue, errors, prefix),
            Properties = props,
        };
    }

    public ProducerConfig ToProducerConfig(string clientId)
    {
        var config = new ProducerConfig
        {
            ClientId = clientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            CompressionType = Compression,
            LingerMs = LingerMs,
            MessageTimeoutMs = MessageTimeoutMs,
            BatchNumMessages = 10_000,
            QueueBufferingMaxMessages = 1_000_000,
            MaxInFlight = 5,
            DeliveryReportFields = "status",
        };
        if (BootstrapServers.Length > 0)
        {
            config.BootstrapServers = BootstrapServers;
        }

        foreach ((string k, string v) in Properties)
        {
            config.Set(k, v);
        }

        return config;
    }

    private static int IntSetting(SinkOptions o, string key, int fallback, int min, int max, List<string> errors, string prefix)
    {
        string? v = o.Get(key);
        if (v is null)
        {
            return fallback;
        }

        if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) && r >= min && r <= max)
        {
            return r;
        }

        errors.Add($"{prefix}:{key} '{v}' must be an integer between {min} and {max}");
        return fallback;
    }

    [GeneratedRegex(@"^(?:[A-Za-z_]+://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?):(?<port>[0-9]{1,5})$")]
    private static partial Regex BrokerRegex();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicRegex();
}
