namespace Harrier.Host.Metrics;

/// <summary>The <c>Metrics</c> section: the local HTTP endpoint serving <c>/metrics</c> and <c>/healthz</c>.</summary>
internal sealed record MetricsOptions
{
    public const string SectionName = "Metrics";

    public bool Enabled { get; init; } = true;

    /// <summary>Address and port to bind; loopback by default (the endpoint has no authentication).</summary>
    public string Listen { get; init; } = "127.0.0.1:8765";

    /// <summary>/healthz fails when no event arrived for this long, unless the host is measurably idle.</summary>
    public int EventsWithinSeconds { get; init; } = 10;

    /// <summary>/healthz fails when a sink has been unhealthy for longer than this.</summary>
    public int SinkFailureSeconds { get; init; } = 30;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!TryParseListen(Listen, out _, out _))
        {
            errors.Add($"Metrics:Listen must be ADDRESS:PORT with an IP address and a port 1-65535 (got '{Listen}')");
        }

        if (EventsWithinSeconds is < 1 or > 3600)
        {
            errors.Add($"Metrics:EventsWithinSeconds must be 1-3600 (got {EventsWithinSeconds})");
        }

        if (SinkFailureSeconds is < 0 or > 3600)
        {
            errors.Add($"Metrics:SinkFailureSeconds must be 0-3600 (got {SinkFailureSeconds})");
        }

        return errors;
    }

    public static bool TryParseListen(string listen, out System.Net.IPAddress address, out int port)
    {
        address = System.Net.IPAddress.Loopback;
        port = 0;
        int colon = listen.LastIndexOf(':');
        return colon > 0
            && System.Net.IPAddress.TryParse(listen[..colon].Trim('[', ']'), out address!)
            && int.TryParse(listen[(colon + 1)..], out port) && port is > 0 and < 65536;
    }
}
