using Harrier.Engine.Enrichment;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Engine.Tests.Enrichment;

/// <summary>Container metadata from runtime state files laid out as docker, containerd and cri-o write them.</summary>
public sealed class ContainerMetadataReaderTests : IDisposable
{
    private const string Id = "3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "harrier-containers-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new();

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Docker => Path.Combine(_root, "docker");

    private string Containerd => Path.Combine(_root, "containerd");

    private string RunRoot => Path.Combine(_root, "storage");

    private ContainerMetadataReader NewReader() => new(Docker, Containerd, RunRoot, _time);

    private void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private void DockerContainer(string config, string? hostConfig = """{"Privileged":false}""")
    {
        Write(Path.Combine(Docker, "containers", Id, "config.v2.json"), config);
        if (hostConfig is not null)
        {
            Write(Path.Combine(Docker, "containers", Id, "hostconfig.json"), hostConfig);
        }
    }

    private const string DockerConfig = """
        {"ID":"3f4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f","Created":"2026-11-20T10:00:00.5Z",
         "Image":"sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
         "Name":"/web","State":{"Running":true,"StartedAt":"2026-11-20T10:00:01.25Z"},
         "Config":{"Image":"registry.example:5000/team/nginx:1.25","Labels":{"maintainer":"x"}}}
        """;

    private static string CapsJson(int count) => string.Join(",", AllCaps.Take(count).Select(c => $"\"{c}\""));

    private static readonly string[] AllCaps =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
        "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
        "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    private static string CriBundle(bool privileged)
    {
        string bounding = privileged ? CapsJson(41) : "\"CAP_CHOWN\",\"CAP_NET_BIND_SERVICE\",\"CAP_KILL\"";
        string masked = privileged ? "[]" : "[\"/proc/kcore\",\"/proc/keys\"]";
        return "{\"ociVersion\":\"1.1.0\",\"process\":{\"capabilities\":{\"bounding\":[" + bounding + "]}},"
            + "\"linux\":{\"maskedPaths\":" + masked + "},"
            + """
              "annotations":{"io.kubernetes.cri.container-type":"container",
                "io.kubernetes.cri.container-name":"api",
                "io.kubernetes.cri.image-name":"docker.io/library/python@sha256:4f1e",
                "io.kubernetes.cri.sandbox-id":"9a8b7c6d5e4f3a2b1c0d9a8b7c6d5e4f3a2b1c0d9a8b7c6d5e4f3a2b1c0d9a8b",
                "io.kubernetes.cri.sandbox-name":"api-7d9f-x2",
                "io.kubernetes.cri.sandbox-namespace":"payments",
                "io.kubernetes.cri.sandbox-uid":"0e1f2a3b-aaaa-bbbb-cccc-0123456789ab"}}
              """;
    }

    [Fact]
    public void Lookup_DockerContainer_ReadsNameImageStartAndPrivileged()
    {
        DockerContainer(DockerConfig, """{"Privileged":true,"NetworkMode":"bridge"}""");

        var c = NewReader().Lookup(Id, "docker");

        Assert.NotNull(c);
        Assert.Equal("web", c!.Name);
        Assert.Equal("registry.example:5000/team/nginx:1.25", c.Image);
        Assert.Equal("registry.example:5000/team/nginx", c.ImageRepository);
        Assert.Equal("1.25", c.ImageTag);
        Assert.Null(c.ImageDigest);
        Assert.Equal("0a1b2c3d4e5f", c.ImageId);
        Assert.True(c.Privileged);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 1, 250, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000, c.StartTsNs);
        Assert.Null(c.K8sNamespace);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")] // docker's value for a container that never started
    [InlineData("9999-12-31T23:59:59Z")] // past what nanoseconds since 1970 hold in a long
    [InlineData("yesterday")]
    public void Lookup_DockerStartTimeOutOfRange_Missing(string startedAt)
    {
        DockerContainer("""{"Name":"/web","Config":{"Image":"nginx"},"State":{"StartedAt":""" + "\"" + startedAt + "\"}}");

        var c = NewReader().Lookup(Id, "docker");

        Assert.Equal("web", c!.Name);
        Assert.Null(c.StartTsNs);
    }

    [Fact]
    public void Lookup_DockerWithoutHostConfig_PrivilegedUnknown()
    {
        DockerContainer(DockerConfig, hostConfig: null);

        var c = NewReader().Lookup(Id, "docker");

        Assert.Equal("web", c!.Name);
        Assert.Null(c.Privileged);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Lookup_ContainerdCriBundle_ReadsPodAndPrivilegedFromSpec(bool privileged)
    {
        Write(Path.Combine(Containerd, "io.containerd.runtime.v2.task", "k8s.io", Id, "config.json"), CriBundle(privileged));

        var c = NewReader().Lookup(Id, "containerd");

        Assert.NotNull(c);
        Assert.Equal("api", c!.Name);
        Assert.Equal("docker.io/library/python@sha256:4f1e", c.Image);
        Assert.Equal("docker.io/library/python", c.ImageRepository);
        Assert.Null(c.ImageTag);
        Assert.Equal("sha256:4f1e", c.ImageDigest);
        Assert.Equal("payments", c.K8sNamespace);
        Assert.Equal("api-7d9f-x2", c.K8sPodName);
        Assert.Equal("0e1f2a3b-aaaa-bbbb-cccc-0123456789ab", c.K8sPodUid);
        Assert.Equal("9a8b7c6d5e4f3a2b1c0d9a8b7c6d5e4f3a2b1c0d9a8b7c6d5e4f3a2b1c0d9a8b", c.K8sSandboxId);
        Assert.Equal(privileged, c.Privileged);
    }

    [Fact]
    public void Lookup_CrioBundle_ReadsKubernetesAnnotations()
    {
        Write(Path.Combine(RunRoot, "overlay-containers", Id, "userdata", "config.json"), """
            {"process":{"capabilities":{"bounding":["CAP_CHOWN"]}},"linux":{"maskedPaths":["/proc/kcore"]},
             "annotations":{"io.kubernetes.container.name":"worker","io.kubernetes.pod.namespace":"batch",
               "io.kubernetes.pod.name":"worker-1","io.kubernetes.pod.uid":"u-1",
               "io.kubernetes.cri-o.ImageName":"quay.io/acme/worker","io.kubernetes.cri-o.SandboxID":"abc"}}
            """);

        var c = NewReader().Lookup(Id, "cri-o");

        Assert.Equal("worker", c!.Name);
        Assert.Equal("batch", c.K8sNamespace);
        Assert.Equal("worker-1", c.K8sPodName);
        Assert.Equal("quay.io/acme/worker", c.ImageRepository);
        Assert.Equal("latest", c.ImageTag);
        Assert.False(c.Privileged);
    }

    [Fact]
    public void Lookup_FilesAppearLater_RetriedAfterTheRetryInterval()
    {
        var reader = NewReader();
        Assert.Null(reader.Lookup(Id, "docker"));
        DockerContainer(DockerConfig);

        Assert.Null(reader.Lookup(Id, "docker")); // the miss is kept for a while
        _time.Advance(ContainerMetadataReader.RetryAfter);

        Assert.Equal("web", reader.Lookup(Id, "docker")!.Name);
        Assert.Equal(1, reader.Reads);
        Assert.Equal(1, reader.Failures);
    }

    [Fact]
    public void Lookup_Found_IsCachedAndSharedByReference()
    {
        DockerContainer(DockerConfig);
        var reader = NewReader();
        var first = reader.Lookup(Id, "docker");
        Directory.Delete(Path.Combine(Docker, "containers"), recursive: true);

        Assert.Same(first, reader.Lookup(Id, "docker"));
        Assert.Equal(1, reader.Reads);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("")]
    public void Lookup_MalformedState_NullAndCounted(string text)
    {
        Write(Path.Combine(Containerd, "io.containerd.runtime.v2.task", "k8s.io", Id, "config.json"), text);
        var reader = NewReader();

        Assert.Null(reader.Lookup(Id, "containerd"));
        Assert.Equal(1, reader.Failures);
    }

    [Theory]
    [InlineData("host", "")]
    [InlineData("mymachine", "systemd-nspawn")]
    [InlineData("../../../../etc/passwd0000000000000000000000000000000000000000000", "docker")]
    [InlineData("3F4E5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B1C2D3E4F", "docker")]
    public void Lookup_NotARuntimeId_NullWithoutReading(string id, string runtime)
    {
        var reader = NewReader();

        Assert.Null(reader.Lookup(id, runtime));
        Assert.Equal(0, reader.Failures);
    }

    [Theory]
    [InlineData("""{"data-root":"/srv/docker","log-driver":"json-file"}""", "/srv/docker")]
    [InlineData("""{"log-driver":"json-file"}""", "/var/lib/docker")]
    [InlineData("""{"data-root":"relative"}""", "/var/lib/docker")]
    [InlineData("{broken", "/var/lib/docker")]
    [InlineData(null, "/var/lib/docker")]
    public void DockerDataRoot_DaemonJson_DataRootOrDefault(string? daemonJson, string expected)
    {
        string path = Path.Combine(_root, "daemon.json");
        if (daemonJson is not null)
        {
            Write(path, daemonJson);
        }

        Assert.Equal(expected, ContainerMetadataReader.DockerDataRoot(path));
    }

    [Theory]
    [InlineData("nginx", "nginx", "latest", null)]
    [InlineData("nginx:1.25", "nginx", "1.25", null)]
    [InlineData("localhost:5000/app", "localhost:5000/app", "latest", null)]
    [InlineData("localhost:5000/app:v2", "localhost:5000/app", "v2", null)]
    [InlineData("app:v2@sha256:ab", "app", "v2", "sha256:ab")]
    [InlineData("app@sha256:ab", "app", null, "sha256:ab")]
    public void SplitImage_Forms_AsFalcoReportsThem(string image, string repository, string? tag, string? digest)
        => Assert.Equal((repository, tag, digest), ContainerMetadataReader.SplitImage(image));
}
