using Harrier.Events;

namespace Harrier.Rules;

/// <summary>One rule that matched one event. The event is a detached clone, safe to keep. Immutable.</summary>
public sealed class RuleMatch
{
    public required CompiledRule Rule { get; init; }

    public required HarrierEvent Event { get; init; }

    /// <summary>The rendered output (missing values as &lt;NA&gt;).</summary>
    public required string Output { get; init; }

    /// <summary>Each output field as written in the rule, with its typed value or null.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> OutputFields { get; init; } = Array.Empty<KeyValuePair<string, object?>>();

    /// <summary>The verdict the rule asks for (Harrier's <c>action:</c>).</summary>
    public RuleAction Action => Rule.Action;

    /// <summary>Builds the alert the outputs publish (hostname and uuid given by the caller).</summary>
    public Alert ToAlert(string hostname, Guid uuid) => new()
    {
        Uuid = uuid,
        TimeNs = Event.TimestampNs,
        Rule = Rule.Name,
        Priority = Rule.Priority,
        Source = Rule.Source,
        Hostname = hostname,
        Output = Output,
        OutputFields = OutputFields,
        Tags = Rule.Tags,
        Action = Rule.Action,
        EventId = Event.EventId,
        Process = new AlertProcess
        {
            Pid = Event.Pid,
            Ppid = Event.Ppid,
            Name = Fields.FieldExtractors.ProcName(Event, null) ?? string.Empty,
            ExePath = Fields.FieldExtractors.ProcExePath(Event, null) ?? string.Empty,
            Cmdline = Fields.FieldExtractors.ProcCmdline(Event, null) ?? string.Empty,
            ParentName = Event.Process?.Parent?.Name ?? string.Empty,
            Uid = Event.Uid,
            UserName = Fields.FieldExtractors.UserName(Event, null) ?? string.Empty,
            ContainerId = Event.Process?.ContainerId ?? "host",
            ContainerName = Event.Process?.Container?.Name,
            ContainerImage = Event.Process?.Container?.ImageRepository,
            ContainerImageTag = Event.Process?.Container?.ImageTag,
            K8sNamespace = Event.Process?.Container?.K8sNamespace,
            K8sPodName = Event.Process?.Container?.K8sPodName,
            K8sPodUid = Event.Process?.Container?.K8sPodUid,
            FilePath = (Event as FileEvent)?.Path,
            DestinationIp = Fields.FieldExtractors.FdSip(Event, null)?.ToString(),
            DestinationPort = (int?)Fields.FieldExtractors.FdSport(Event, null),
        },
    };
}
