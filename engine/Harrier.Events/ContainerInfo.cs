namespace Harrier.Events;

/// <summary>
/// What the container runtime's own state files say about a container (Falco's <c>container.*</c> and the pod
/// coordinates of <c>k8s.*</c>). Every property may be null: the runtime did not record it, or Harrier could not read
/// it. Immutable; shared by every process of the container.
/// </summary>
public sealed record ContainerInfo
{
    /// <summary>The container's name (docker: without the leading slash; CRI: the container name in the pod spec).</summary>
    public string? Name { get; init; }

    /// <summary>The image as the container was created from it (<c>nginx:1.25</c>, <c>docker.io/library/nginx:1.25</c>).</summary>
    public string? Image { get; init; }

    /// <summary>The image without tag or digest.</summary>
    public string? ImageRepository { get; init; }

    /// <summary>The image tag (<c>latest</c> when the image names none and no digest).</summary>
    public string? ImageTag { get; init; }

    /// <summary>The image id (hex, 12 characters, as Falco prints it).</summary>
    public string? ImageId { get; init; }

    /// <summary>The image digest (<c>sha256:…</c>) when the image was named by digest.</summary>
    public string? ImageDigest { get; init; }

    /// <summary>True for a privileged container (docker's HostConfig.Privileged; CRI: every capability and no masked
    /// paths, which is what a privileged pod gets).</summary>
    public bool? Privileged { get; init; }

    /// <summary>When the container started, in nanoseconds since the Unix epoch.</summary>
    public long? StartTsNs { get; init; }

    /// <summary>Kubernetes namespace of the pod.</summary>
    public string? K8sNamespace { get; init; }

    /// <summary>Kubernetes pod name.</summary>
    public string? K8sPodName { get; init; }

    /// <summary>Kubernetes pod uid.</summary>
    public string? K8sPodUid { get; init; }

    /// <summary>The full id of the pod's sandbox container.</summary>
    public string? K8sSandboxId { get; init; }
}
