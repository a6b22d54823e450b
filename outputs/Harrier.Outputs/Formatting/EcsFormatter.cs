using System.Text.Json;
using Harrier.Events;

namespace Harrier.Outputs.Formatting;

/// <summary>
/// Elastic Common Schema 8.11 alert document: <c>@timestamp</c>, <c>event.kind: alert</c>, <c>event.severity</c> (syslog number),
/// <c>rule.name</c>, <c>host.name</c>, <c>process.*</c>, <c>user.*</c>, <c>file.path</c>, <c>destination.*</c>, <c>message</c>, <c>tags</c>,
/// and Harrier's own keys under <c>harrier.*</c>. Stateless and thread-safe.
/// </summary>
internal static class EcsFormatter
{
    public const string EcsVersion = "8.11.0";

    public static void Write(Utf8JsonWriter w, Alert alert)
    {
        w.WriteStartObject();
        JsonValues.WriteRfc3339(w, "@timestamp", alert.TimeNs);
        w.WriteString("message", alert.Output);
        JsonValues.WriteTags(w, "tags", alert.Tags);

        w.WriteStartObject("ecs");
        w.WriteString("version", EcsVersion);
        w.WriteEndObject();

        w.WriteStartObject("event");
        w.WriteString("kind", "alert");
        w.WriteString("id", alert.Uuid);
        w.WriteNumber("severity", (int)alert.Priority);
        w.WriteString("action", JsonValues.ActionName(alert.Action));
        w.WriteString("outcome", alert.Enforced is "denied" or "killed" ? "success" : "unknown");
        w.WriteString("module", "harrier");
        w.WriteString("dataset", "harrier.alerts");
        w.WriteString("provider", alert.Source);
        w.WriteStartArray("type");
        w.WriteStringValue(alert.Enforced is "denied" or "killed" ? "denied" : "info");
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject("log");
        w.WriteString("level", Priorities.Name(alert.Priority).ToLowerInvariant());
        w.WriteEndObject();

        w.WriteStartObject("rule");
        w.WriteString("name", alert.Rule);
        w.WriteEndObject();

        w.WriteStartObject("host");
        w.WriteString("name", alert.Hostname);
        w.WriteString("hostname", alert.Hostname);
        w.WriteEndObject();

        w.WriteStartObject("observer");
        w.WriteString("product", "Harrier");
        w.WriteString("vendor", "Harrier");
        w.WriteString("version", HarrierVersion.Value);
        w.WriteString("type", "host-ids");
        w.WriteEndObject();

        if (alert.Process is { } p)
        {
            w.WriteStartObject("process");
            w.WriteNumber("pid", p.Pid);
            w.WriteString("name", p.Name);
            w.WriteString("executable", p.ExePath);
            w.WriteString("command_line", p.Cmdline);
            w.WriteStartObject("parent");
            w.WriteNumber("pid", p.Ppid);
            w.WriteString("name", p.ParentName);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("user");
            w.WriteString("id", p.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("name", p.UserName);
            w.WriteEndObject();

            if (p.ContainerId != "host" && p.ContainerId.Length > 0)
            {
                w.WriteStartObject("container");
                w.WriteString("id", p.ContainerId);
                if (p.ContainerName is { } name)
                {
                    w.WriteString("name", name);
                }

                if (p.ContainerImage is { } image)
                {
                    w.WriteStartObject("image");
                    w.WriteString("name", image);
                    if (p.ContainerImageTag is { } tag)
                    {
                        w.WriteStartArray("tag");
                        w.WriteStringValue(tag);
                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            if (p.K8sNamespace is not null || p.K8sPodName is not null)
            {
                w.WriteStartObject("orchestrator");
                w.WriteString("type", "kubernetes");
                if (p.K8sNamespace is { } ns)
                {
                    w.WriteString("namespace", ns);
                }

                if (p.K8sPodName is { } pod)
                {
                    w.WriteStartObject("resource");
                    w.WriteString("type", "pod");
                    w.WriteString("name", pod);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            if (p.FilePath is not null)
            {
                w.WriteStartObject("file");
                w.WriteString("path", p.FilePath);
                w.WriteEndObject();
            }

            if (p.DestinationIp is not null)
            {
                w.WriteStartObject("destination");
                w.WriteString("ip", p.DestinationIp);
                if (p.DestinationPort is int port)
                {
                    w.WriteNumber("port", port);
                }

                w.WriteEndObject();
            }
        }

        w.WriteStartObject("harrier");
        w.WriteString("priority", Priorities.Name(alert.Priority));
        w.WriteString("enforced", alert.Enforced);
        w.WriteNumber("event_id", alert.EventId);
        JsonValues.WriteFields(w, "output_fields", alert.OutputFields);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
