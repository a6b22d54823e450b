using Harrier.Engine.Enforcement;

namespace Harrier.Engine.Tests.Enforcement;

public sealed class CgroupEnforcerOptionsTests
{
    [Fact]
    public void Validate_Default_IsValidAndBesideTheLsmDefault()
    {
        var options = new CgroupEnforcerOptions();
        Assert.Empty(options.Validate());
        Assert.Equal("/sys/fs/bpf/harrier/cgroup", options.PinRoot);
        Assert.Equal(options.PinRoot, CgroupEnforcerOptions.PinRootBeside(new LsmEnforcerOptions().PinRoot));
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative/cgroup")]
    [InlineData("/sys/fs/bpf")]
    [InlineData("/sys/fs/bpf/")]
    [InlineData("/sys/fs/bpf/harrier/../other")]
    [InlineData("/sys/fs/bpf/harrier/..")]
    public void Validate_BadPinRoot_ReportsIt(string root)
    {
        var error = Assert.Single(new CgroupEnforcerOptions { PinRoot = root }.Validate());
        Assert.Contains("Enforcement:Lsm:CgroupPinRoot", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/sys/fs/bpf/harrier/lsm", "/sys/fs/bpf/harrier/cgroup")]
    [InlineData("/sys/fs/bpf/harrier/lsm/", "/sys/fs/bpf/harrier/cgroup")]
    [InlineData("/sys/fs/bpf/harrier/selftest-rules", "/sys/fs/bpf/harrier/selftest-rules-cgroup")]
    public void PinRootBeside_LsmRoot_PairsUp(string lsm, string expected) =>
        Assert.Equal(expected, CgroupEnforcerOptions.PinRootBeside(lsm));
}
