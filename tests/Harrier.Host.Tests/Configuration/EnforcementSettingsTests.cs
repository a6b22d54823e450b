using Harrier.Host.Service;

namespace Harrier.Host.Tests.Configuration;

/// <summary>The <c>Enforcement:Lsm</c> keys of <c>harrier run</c>: bound, validated, handed to the LSM enforcer.</summary>
public sealed class EnforcementSettingsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (EngineSettings? Settings, string Err) Load(params string[] overrides)
    {
        var config = _dir.Write("appsettings.json", "{}");
        var rules = _dir.Write("rules.yaml", "[]");
        var err = new StringWriter();
        var (settings, _) = EngineSettingsLoader.Load(config, overrides, [rules], err);
        return (settings, err.ToString());
    }

    [Fact]
    public void Load_Defaults_PinRootUnderBpffsAndSelfProtectionOff()
    {
        var (settings, err) = Load();
        Assert.True(settings is not null, err);
        var lsm = settings!.Enforcement.Lsm.ToEnforcerOptions();
        Assert.Equal("/sys/fs/bpf/harrier/lsm", lsm.PinRoot);
        Assert.False(lsm.SelfProtect);
        Assert.False(lsm.MapsOnly);
    }

    [Fact]
    public void Load_SelfProtectAndPinRootSet_ReachTheEnforcerOptions()
    {
        var (settings, err) = Load("Enforcement:Lsm:SelfProtect=true", "Enforcement:Lsm:PinRoot=/sys/fs/bpf/other");
        Assert.True(settings is not null, err);
        var lsm = settings!.Enforcement.Lsm.ToEnforcerOptions();
        Assert.True(lsm.SelfProtect);
        Assert.Equal("/sys/fs/bpf/other", lsm.PinRoot);
    }

    [Fact]
    public void Load_BadPinRootAndUnknownKey_BothReported()
    {
        var (settings, err) = Load("Enforcement:Lsm:PinRoot=relative/dir", "Enforcement:Lsm:Bogus=1");
        Assert.Null(settings);
        Assert.Contains("Enforcement:Lsm:Bogus: unknown key", err, StringComparison.Ordinal);
        Assert.Contains("Enforcement:Lsm:PinRoot must be an absolute path", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CgroupPinRoot_DefaultsBesideLsmAndIsValidated()
    {
        var (settings, err) = Load();
        Assert.True(settings is not null, err);
        Assert.Equal("/sys/fs/bpf/harrier/cgroup", settings!.Enforcement.Lsm.ToCgroupOptions().PinRoot);

        (settings, err) = Load("Enforcement:Lsm:CgroupPinRoot=/sys/fs/bpf/other-cgroup");
        Assert.True(settings is not null, err);
        Assert.Equal("/sys/fs/bpf/other-cgroup", settings!.Enforcement.Lsm.ToCgroupOptions().PinRoot);

        (settings, err) = Load("Enforcement:Lsm:CgroupPinRoot=/sys/fs/bpf");
        Assert.Null(settings);
        Assert.Contains("Enforcement:Lsm:CgroupPinRoot must be a dedicated directory", err, StringComparison.Ordinal);

        (settings, err) = Load("Enforcement:Lsm:CgroupPinRoot=/sys/fs/bpf/harrier/lsm");
        Assert.Null(settings);
        Assert.Contains("Enforcement:Lsm:CgroupPinRoot must differ", err, StringComparison.Ordinal);
    }
}
