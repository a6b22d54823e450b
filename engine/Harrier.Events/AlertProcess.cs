namespace Harrier.Events;

/// <summary>A snapshot of the process and object an alert is about, for SIEM mappings (ECS process.*, OCSF actor).</summary>
public sealed record AlertProcess
{
    public int Pid { get; init; }

    public int Ppid { get; init; }

    public string Name { get; init; } = string.Empty;

    public string ExePath { get; init; } = string.Empty;

    public string Cmdline { get; init; } = string.Empty;

    public string ParentName { get; init; } = string.Empty;

    public uint Uid { get; init; }

    public string UserName { get; init; } = string.Empty;

    public string ContainerId { get; init; } = "host";

    /// <summary>The container's name, image (repository) and tag as its runtime recorded them, when known.</summary>
    public string? ContainerName { get; init; }

    public string? ContainerImage { get; init; }

    public string? ContainerImageTag { get; init; }

    /// <summary>The Kubernetes pod the container belongs to, when its runtime recorded it.</summary>
    public string? K8sNamespace { get; init; }

    public string? K8sPodName { get; init; }

    public string? K8sPodUid { get; init; }

    /// <summary>The file path involved, if any (ECS file.path).</summary>
    public string? FilePath { get; init; }

    /// <summary>The remote address and port, if any (ECS destination.ip / destination.port).</summary>
    public string? DestinationIp { get; init; }

    public int? DestinationPort { get; init; }
}
