using System.Text.Json;
using Harrier.Events;

namespace Harrier.Outputs.Formatting;

/// <summary>
/// Falco-compatible JSON: <c>uuid, output, priority, rule, time, output_fields, source, tags, hostname</c> as Falco writes them,
/// plus Harrier's <c>action, enforced, event_id, harrier_version</c>. Allocation-free apart from the writer's buffer. Thread-safe (stateless).
/// </summary>
internal static class FalcoJsonFormatter
{
    public static void Write(Utf8JsonWriter w, Alert alert)
    {
        w.WriteStartObject();
        w.WriteString("uuid", alert.Uuid);
        w.WriteString("output", alert.Output);
        w.WriteString("priority", Priorities.Name(alert.Priority));
        w.WriteString("rule", alert.Rule);
        JsonValues.WriteRfc3339(w, "time", alert.TimeNs);
        JsonValues.WriteFields(w, "output_fields", alert.OutputFields);
        w.WriteString("source", alert.Source);
        JsonValues.WriteTags(w, "tags", alert.Tags);
        w.WriteString("hostname", alert.Hostname);
        w.WriteString("action", JsonValues.ActionName(alert.Action));
        w.WriteString("enforced", alert.Enforced);
        w.WriteNumber("event_id", alert.EventId);
        w.WriteString("harrier_version", HarrierVersion.Value);
        w.WriteEndObject();
    }
}
