namespace Harrier.Outputs.Formatting;

/// <summary>The document shape a sink writes for each alert.</summary>
public enum AlertFormat
{
    /// <summary>Falco-compatible JSON (<c>time</c>, <c>rule</c>, <c>priority</c>, <c>output_fields</c>...) plus Harrier's keys.</summary>
    Falco = 0,

    /// <summary>OCSF 1.3 Detection Finding (class_uid 2004).</summary>
    Ocsf = 1,

    /// <summary>Elastic Common Schema 8.x alert document.</summary>
    Ecs = 2,

    /// <summary>Falco's human-readable line: <c>HH:MM:SS.nnnnnnnnn: Priority Output</c>.</summary>
    Text = 3,
}
