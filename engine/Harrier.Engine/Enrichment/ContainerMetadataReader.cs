using System.Globalization;
using System.Text.Json;
using Harrier.Events;

namespace Harrier.Engine.Enrichment;

/// <summary>
/// Reads what container runtimes record about a container in their own state files, so that rules see
/// <c>container.name</c>, <c>container.image*</c>, <c>container.privileged</c> and the pod of <c>k8s.*</c> without a
/// connection to the runtime:
/// <list type="bullet">
/// <item>docker: <c>DOCKER/containers/ID/config.v2.json</c> (name, image, start time, labels) and <c>hostconfig.json</c>
/// (privileged);</item>
/// <item>containerd (Kubernetes CRI, nerdctl, docker's own shim): the OCI bundle
/// <c>CONTAINERD/io.containerd.runtime.v2.task/NAMESPACE/ID/config.json</c>, whose annotations carry the CRI container
/// name, image and pod;</item>
/// <item>cri-o and podman: the OCI bundle <c>RUNROOT/overlay-containers/ID/userdata/config.json</c>.</item>
/// </list>
/// For an OCI bundle a container counts as privileged when its bounding set has every capability and no path is
/// masked: that is what a privileged pod gets. Results are cached per container
/// id; a container whose files are not there (yet) is looked up again after <see cref="RetryAfter"/>. Files over 4 MiB
/// and malformed JSON count as failures; nothing throws. Not thread-safe (the pipeline's thread).
/// </summary>
internal sealed class ContainerMetadataReader
{
    /// <summary>How long a container with no readable metadata waits before the next attempt.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>The most containers cached; past it the cache starts again (counted).</summary>
    public const int MaxContainers = 4096;

    private const int MaxFileBytes = 4 << 20;

    private readonly string _docker;
    private readonly string _containerd;
    private readonly string _runRoot;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (ContainerInfo? Info, long RetryAt)> _cache = new(StringComparer.Ordinal);
    private long _reads;
    private long _failures;
    private long _resets;

    /// <param name="dockerRoot">Docker's data root; by default <c>data-root</c> from <c>/etc/docker/daemon.json</c>, else
    /// <c>/var/lib/docker</c>.</param>
    /// <param name="containerdState">containerd's state directory (<c>/run/containerd</c>).</param>
    /// <param name="containersRunRoot">The run root of containers/storage used by cri-o and podman (<c>/run/containers/storage</c>).</param>
    /// <param name="time">Time source for retries.</param>
    public ContainerMetadataReader(string? dockerRoot = null, string containerdState = "/run/containerd", string containersRunRoot = "/run/containers/storage", TimeProvider? time = null)
    {
        _docker = dockerRoot ?? DockerDataRoot("/etc/docker/daemon.json");
        _containerd = containerdState;
        _runRoot = containersRunRoot;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Containers whose metadata was read.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Attempts that found no readable metadata (not there yet, unreadable, malformed).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Times the cache was full and started again.</summary>
    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>The metadata of the container <paramref name="fullId"/> (64 hex characters) run by <paramref name="runtime"/>, or null.</summary>
    public ContainerInfo? Lookup(string fullId, string runtime)
    {
        if (fullId.Length != 64 || !fullId.All(char.IsAsciiHexDigitLower))
        {
            return null; // the host, an nspawn machine, or anything that is not a runtime id (never a path)
        }

        long now = _time.GetTimestamp();
        if (_cache.TryGetValue(fullId, out var cached) && (cached.Info is not null || now < cached.RetryAt))
        {
            return cached.Info;
        }

        var info = Read(fullId, runtime);
        if (info is null)
        {
            Interlocked.Increment(ref _failures);
        }
        else
        {
            Interlocked.Increment(ref _reads);
        }

        if (_cache.Count >= MaxContainers && !_cache.ContainsKey(fullId))
        {
            _cache.Clear();
            Interlocked.Increment(ref _resets);
        }

        _cache[fullId] = (info, now + (long)(RetryAfter.TotalSeconds * _time.TimestampFrequency));
        return info;
    }

    private ContainerInfo? Read(string id, string runtime)
    {
        if (runtime == "docker" && ReadDocker(id) is { } docker)
        {
            return docker;
        }

        foreach (var bundle in Bundles(id, runtime))
        {
            if (ReadOci(bundle) is { } oci)
            {
                return oci;
            }
        }

        return null;
    }

    private IEnumerable<string> Bundles(string id, string runtime)
    {
        var crio = Path.Combine(_runRoot, "overlay-containers", id, "userdata", "config.json");
        if (runtime is "cri-o" or "podman")
        {
            yield return crio;
        }

        var tasks = Path.Combine(_containerd, "io.containerd.runtime.v2.task");
        string[] namespaces;
        try
        {
            namespaces = Directory.Exists(tasks) ? Directory.GetDirectories(tasks) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            namespaces = [];
        }

        // k8s.io (CRI) first, then docker's "moby", nerdctl's "default" and any other
        foreach (var ns in namespaces.OrderBy(n => Path.GetFileName(n) switch { "k8s.io" => 0, "moby" => 1, "default" => 2, _ => 3 }).ThenBy(n => n, StringComparer.Ordinal))
        {
            yield return Path.Combine(ns, id, "config.json");
        }

        if (runtime is not ("cri-o" or "podman"))
        {
            yield return crio;
        }
    }

    private ContainerInfo? ReadDocker(string id)
    {
        var dir = Path.Combine(_docker, "containers", id);
        using var config = Parse(Path.Combine(dir, "config.v2.json"));
        if (config is null)
        {
            return null;
        }

        var root = config.RootElement;
        var cfg = Child(root, "Config");
        var labels = cfg is { } c ? Child(c, "Labels") : null;
        string? image = cfg is { } c2 ? Str(c2, "Image") : null;
        bool? privileged = null;
        using (var host = Parse(Path.Combine(dir, "hostconfig.json")))
        {
            if (host is not null && host.RootElement.ValueKind == JsonValueKind.Object
                && host.RootElement.TryGetProperty("Privileged", out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                privileged = p.GetBoolean();
            }
        }

        var (repository, tag, digest) = SplitImage(image);
        long? start = null;
        // (never started: year 1; nanoseconds since 1970 fit a long until 2262)
        if (Child(root, "State") is { } state && Str(state, "StartedAt") is { } started
            && DateTimeOffset.TryParse(started, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at.Year is > 1970 and < 2262)
        {
            start = (at - DateTimeOffset.UnixEpoch).Ticks * 100;
        }

        return new ContainerInfo
        {
            Name = Str(root, "Name")?.TrimStart('/'),
            Image = image,
            ImageRepository = repository,
            ImageTag = tag,
            ImageDigest = digest,
            ImageId = ShortImageId(Str(root, "Image")),
            Privileged = privileged,
            StartTsNs = start,
            // (dockershim-era Kubernetes kept the pod in labels)
            K8sNamespace = labels is { } l1 ? Str(l1, "io.kubernetes.pod.namespace") : null,
            K8sPodName = labels is { } l2 ? Str(l2, "io.kubernetes.pod.name") : null,
            K8sPodUid = labels is { } l3 ? Str(l3, "io.kubernetes.pod.uid") : null,
        };
    }

    private static ContainerInfo? ReadOci(string configPath)
    {
        using var config = Parse(configPath);
        if (config is null || config.RootElement.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var root = config.RootElement;
        var a = Child(root, "annotations");
        string? Ann(params string[] keys)
        {
            foreach (var k in keys)
            {
                if (a is { } x && Str(x, k) is { Length: > 0 } v)
                {
                    return v;
                }
            }

            return null;
        }

        // containerd CRI: io.kubernetes.cri.*; cri-o: io.kubernetes.* and io.kubernetes.cri-o.*; nerdctl: nerdctl/name
        string? image = Ann("io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName", "org.opencontainers.image.ref.name");
        var (repository, tag, digest) = SplitImage(image);
        return new ContainerInfo
        {
            Name = Ann("io.kubernetes.cri.container-name", "io.kubernetes.container.name", "nerdctl/name"),
            Image = image,
            ImageRepository = repository,
            ImageTag = tag,
            ImageDigest = digest,
            ImageId = ShortImageId(Ann("io.kubernetes.cri-o.ImageRef")),
            Privileged = OciPrivileged(root),
            K8sNamespace = Ann("io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace"),
            K8sPodName = Ann("io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"),
            K8sPodUid = Ann("io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid"),
            K8sSandboxId = Ann("io.kubernetes.cri.sandbox-id", "io.kubernetes.cri-o.SandboxID"),
        };
    }

    /// <summary>Every capability (at least the 38 up to CAP_AUDIT_READ, SYS_ADMIN and SYS_MODULE among them) in the
    /// bounding set, and no masked path.</summary>
    private static bool? OciPrivileged(JsonElement root)
    {
        if (Child(root, "process") is not { } process || Child(process, "capabilities") is not { } caps
            || Child(caps, "bounding") is not { ValueKind: JsonValueKind.Array } bounding)
        {
            return null;
        }

        var set = bounding.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToHashSet(StringComparer.Ordinal);
        bool allCaps = set.Count >= 38 && set.Contains("CAP_SYS_ADMIN") && set.Contains("CAP_SYS_MODULE");
        bool masked = Child(root, "linux") is { } linux && Child(linux, "maskedPaths") is { ValueKind: JsonValueKind.Array } m && m.GetArrayLength() > 0;
        return allCaps && !masked;
    }

    /// <summary>The <c>data-root</c> a docker daemon configuration names, or <c>/var/lib/docker</c>.</summary>
    internal static string DockerDataRoot(string daemonJson)
    {
        using var config = Parse(daemonJson);
        return config is not null && Str(config.RootElement, "data-root") is { Length: > 1 } root && root.StartsWith('/') ? root : "/var/lib/docker";
    }

    /// <summary>"registry:5000/ns/app:1.2@sha256:…" → ("registry:5000/ns/app", "1.2", "sha256:…"); no tag and no digest → tag "latest".</summary>
    internal static (string? Repository, string? Tag, string? Digest) SplitImage(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return (null, null, null);
        }

        string? digest = null;
        int at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = image[(at + 1)..];
            image = image[..at];
        }

        int slash = image.LastIndexOf('/');
        int colon = image.LastIndexOf(':');
        if (colon > slash)
        {
            return (image[..colon], image[(colon + 1)..], digest);
        }

        return (image, digest is null ? "latest" : null, digest);
    }

    private static string? ShortImageId(string? id)
    {
        if (id is null)
        {
            return null;
        }

        int colon = id.IndexOf(':', StringComparison.Ordinal);
        var hex = colon >= 0 ? id[(colon + 1)..] : id;
        return hex.Length >= 12 && hex[..12].All(char.IsAsciiHexDigitLower) ? hex[..12] : null;
    }

    private static JsonDocument? Parse(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            long length = RandomAccess.GetLength(handle);
            if (length is <= 0 or > MaxFileBytes)
            {
                return null;
            }

            var bytes = new byte[length];
            int total = 0;
            while (total < bytes.Length)
            {
                int n = RandomAccess.Read(handle, bytes.AsSpan(total), total);
                if (n <= 0)
                {
                    break;
                }

                total += n;
            }

            return JsonDocument.Parse(bytes.AsMemory(0, total), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static JsonElement? Child(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var c) && c.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? c : null;

    private static string? Str(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
}
