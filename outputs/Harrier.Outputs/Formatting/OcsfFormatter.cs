using System.Text.Json;
using Harrier.Events;

namespace Harrier.Outputs.Formatting;

/// <summary>
/// OCSF 1.3 Detection Finding (category 2 Findings, class 2004, activity 1 Create, type_uid 200401).
/// Required attributes always present: activity_id, category_uid, class_uid, type_uid, time, severity_id, metadata, finding_info.
/// Stateless and thread-safe.
/// </summary>
internal static class OcsfFormatter
{
    public const int ClassUid = 2004;
    public const int CategoryUid = 2;
    public const int ActivityCreate = 1;
    public const string SchemaVersion = "1.3.0";

    /// <summary>OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal.</summary>
    public static int SeverityId(Priority p) => p switch
    {
        Priority.Emergency => 6,
        Priority.Alert or Priority.Critical => 5,
        Priority.Error => 4,
        Priority.Warning => 3,
        Priority.Notice => 2,
        _ => 1,
    };

    private static string SeverityName(int id) => id switch
    {
        6 => "Fatal",
        5 => "Critical",
        4 => "High",
        3 => "Medium",
        2 => "Low",
        _ => "Informational",
    };

    public static void Write(Utf8JsonWriter w, Alert alert)
    {
        int severity = SeverityId(alert.Priority);
        w.WriteStartObject();
        w.WriteNumber("activity_id", ActivityCreate);
        w.WriteString("activity_name", "Create");
        w.WriteNumber("category_uid", CategoryUid);
        w.WriteString("category_name", "Findings");
        w.WriteNumber("class_uid", ClassUid);
        w.WriteString("class_name", "Detection Finding");
        w.WriteNumber("type_uid", (ClassUid * 100) + ActivityCreate);
        w.WriteString("type_name", "Detection Finding: Create");
        w.WriteNumber("time", AlertTime.ToUnixMilliseconds(alert.TimeNs));
        JsonValues.WriteRfc3339(w, "time_dt", alert.TimeNs);
        w.WriteNumber("severity_id", severity);
        w.WriteString("severity", SeverityName(severity));
        w.WriteNumber("status_id", 1);
        w.WriteString("status", "New");
        w.WriteString("message", alert.Output);

        // Security-control profile: what was done about it.
        (int actionId, string actionName, int dispositionId, string disposition) = alert.Enforced switch
        {
            "denied" => (2, "Denied", 2, "Blocked"),
            "killed" => (2, "Denied", 2, "Blocked"),
            _ => (1, "Allowed", 15, "Detected"),
        };
        w.WriteNumber("action_id", actionId);
        w.WriteString("action", actionName);
        w.WriteNumber("disposition_id", dispositionId);
        w.WriteString("disposition", disposition);

        w.WriteStartObject("metadata");
        w.WriteString("version", SchemaVersion);
        w.WriteString("uid", alert.Uuid);
        w.WriteStartArray("profiles");
        w.WriteStringValue("security_control");
        w.WriteStringValue("host");
        w.WriteEndArray();
        w.WriteStartObject("product");
        w.WriteString("name", "Harrier");
        w.WriteString("vendor_name", "Harrier");
        w.WriteString("version", HarrierVersion.Value);
        w.WriteEndObject();
        w.WriteString("log_name", alert.Source);
        w.WriteEndObject();

        w.WriteStartObject("finding_info");
        w.WriteString("uid", alert.Uuid);
        w.WriteString("title", alert.Rule);
        w.WriteString("desc", alert.Output);
        JsonValues.WriteTags(w, "types", alert.Tags);
        w.WriteStartObject("analytic");
        w.WriteString("name", alert.Rule);
        w.WriteNumber("type_id", 1);
        w.WriteString("type", "Rule");
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartObject("device");
        w.WriteString("hostname", alert.Hostname);
        w.WriteNumber("type_id", 0);
        w.WriteEndObject();

        if (alert.Process is { } p)
        {
            w.WriteStartObject("actor");
            w.WriteStartObject("process");
            w.WriteNumber("pid", p.Pid);
            w.WriteString("name", p.Name);
            w.WriteString("cmd_line", p.Cmdline);
            w.WriteStartObject("file");
            w.WriteString("path", p.ExePath);
            w.WriteString("name", Path.GetFileName(p.ExePath));
            w.WriteNumber("type_id", 1);
            w.WriteEndObject();
            w.WriteStartObject("user");
            w.WriteString("uid", p.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("name", p.UserName);
            w.WriteEndObject();
            w.WriteStartObject("parent_process");
            w.WriteNumber("pid", p.Ppid);
            w.WriteString("name", p.ParentName);
            w.WriteEndObject();
            w.WriteStartObject("container");
            w.WriteString("uid", p.ContainerId);
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
                    w.WriteString("tag", tag);
                }

                w.WriteEndObject();
            }

            if (p.K8sNamespace is not null || p.K8sPodUid is not null)
            {
                w.WriteString("orchestrator", "kubernetes");
                if (p.K8sPodUid is { } uid)
                {
                    w.WriteString("pod_uuid", uid);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteStartObject("unmapped");
        w.WriteString("rule", alert.Rule);
        w.WriteString("priority", Priorities.Name(alert.Priority));
        w.WriteString("harrier_action", JsonValues.ActionName(alert.Action));
        w.WriteString("enforced", alert.Enforced);
        w.WriteNumber("event_id", alert.EventId);
        JsonValues.WriteFields(w, "output_fields", alert.OutputFields);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
