using Harrier.Engine.Enrichment;

namespace Harrier.Engine.Tests.Enrichment;

public sealed class ContainerIdParserTests
{
    private const string Id = "4a1f0c2b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";

    [Theory]
    [InlineData("/docker/" + Id, "docker")]
    [InlineData("/system.slice/docker-" + Id + ".scope", "docker")]
    [InlineData("/docker/" + Id + "/init.scope", "docker")]
    [InlineData("/system.slice/containerd.service/kubepods-burstable-pod1234.slice:cri-containerd:" + Id, "containerd")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b.slice/cri-containerd-" + Id + ".scope", "containerd")]
    [InlineData("/kubepods/besteffort/pod0a1b2c3d-0000-1111-2222-333344445555/" + Id, "containerd")]
    [InlineData("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b.slice/crio-" + Id + ".scope", "cri-o")]
    [InlineData("/machine.slice/libpod-" + Id + ".scope/container", "podman")]
    [InlineData("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + Id + ".scope", "podman")]
    [InlineData("/libpod_parent/libpod-" + Id, "podman")]
    public void TryParse_RuntimePattern_GivesShortAndFullId(string path, string runtime)
    {
        Assert.True(ContainerIdParser.TryParse(path, out var id, out var fullId, out var rt));

        Assert.Equal(Id[..12], id);
        Assert.Equal(Id, fullId);
        Assert.Equal(runtime, rt);
    }

    [Theory]
    [InlineData("/machine.slice/machine-debian12.scope", "debian12")]
    [InlineData("/machine.slice/machine-web\\x2dfront.scope/payload", "web-front")]
    public void TryParse_NspawnMachine_GivesMachineName(string path, string name)
    {
        Assert.True(ContainerIdParser.TryParse(path, out var id, out var fullId, out var rt));

        Assert.Equal(name, id);
        Assert.Equal(name, fullId);
        Assert.Equal("systemd-nspawn", rt);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("/init.scope")]
    [InlineData("/user.slice/user-1000.slice/session-3.scope")]
    [InlineData("/system.slice/docker.service")]
    [InlineData("/system.slice/docker-" + "0123456789abcdef" + ".scope")]              // too short
    [InlineData("/system.slice/docker-" + "4A1F0C2B9D8E7F6A5B4C3D2E1F0A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A" + ".scope")] // not lower hex
    [InlineData("/machine.slice/libpod-conmon-" + Id + ".scope")]                   // podman's monitor, not the container
    [InlineData("/some/" + Id)]                                                     // bare id outside docker/kubepods
    public void TryParse_HostOrUnknown_GivesHost(string? path)
    {
        Assert.False(ContainerIdParser.TryParse(path, out var id, out var fullId, out var rt));

        Assert.Equal("host", id);
        Assert.Equal("host", fullId);
        Assert.Equal(string.Empty, rt);
    }

    [Fact]
    public void TryParse_DockerInDocker_GivesInnermost()
    {
        const string outer = "1111111111111111111111111111111111111111111111111111111111111111";
        Assert.True(ContainerIdParser.TryParse($"/docker/{outer}/docker/{Id}", out var id, out _, out _));
        Assert.Equal(Id[..12], id);
    }
}
