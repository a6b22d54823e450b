using Harrier.Engine.Enforcement;

namespace Harrier.Kernel.Tests.Lsm;

public sealed class EnforcementPathsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("harrier-paths-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Put(string path, string content)
    {
        string full = Path.Combine(_root, path.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    [Fact]
    public void Probe_BpfLsmCompiledInButInactive_HintsLsmParameterAndFallsBack()
    {
        Put("/sys/kernel/security/lsm", "lockdown,capability,landlock,yama,apparmor\n");
        Put("/boot/config-6.1.0-test", "CONFIG_SECURITY=y\nCONFIG_BPF_LSM=y\n");
        Put("/proc/sys/kernel/seccomp/actions_avail", "kill_process kill_thread trap errno user_notif trace log allow\n");
        Put("/sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
        Put("/sys/kernel/btf/vmlinux", "btf");

        var r = EnforcementPaths.Probe(_root, "6.1.0-test");

        Assert.True(r.BpfLsmCompiledIn);
        Assert.False(r.BpfLsmActive);
        Assert.Contains("lsm=lockdown,capability,landlock,yama,apparmor,bpf", r.LsmHint, StringComparison.Ordinal);
        Assert.Equal(EnforcementMechanism.Seccomp, r.Best[EnforcementVerdict.ExecDeny]);
        Assert.Equal(EnforcementMechanism.Seccomp, r.Best[EnforcementVerdict.FileDeny]);
        Assert.Equal(EnforcementMechanism.Cgroup, r.Best[EnforcementVerdict.NetworkDeny]);
        Assert.Equal(EnforcementMechanism.InKernelSignal, r.Best[EnforcementVerdict.Kill]);
    }

    [Fact]
    public void Probe_BpfLsmActive_UsesLsmForEverythingWithoutHint()
    {
        Put("/sys/kernel/security/lsm", "lockdown,capability,bpf");
        var r = EnforcementPaths.Probe(_root, "x");
        Assert.True(r.BpfLsmActive);
        Assert.True(r.BpfLsmCompiledIn);
        Assert.Null(r.LsmHint);
        Assert.All(r.Best.Values, m => Assert.Equal(EnforcementMechanism.BpfLsm, m));
    }

    [Fact]
    public void Probe_ConfigSaysNotSet_NoLsmAndUserSpaceLastResort()
    {
        Put("/sys/kernel/security/lsm", "capability");
        Put("/boot/config-y", "# CONFIG_BPF_LSM is not set\n");
        var r = EnforcementPaths.Probe(_root, "y");
        Assert.False(r.BpfLsmCompiledIn);
        Assert.Contains("CONFIG_BPF_LSM is not set", r.LsmHint, StringComparison.Ordinal);
        Assert.Equal(EnforcementMechanism.UserSpaceKill, r.Best[EnforcementVerdict.Kill]);
        Assert.Equal(EnforcementMechanism.UserSpaceKill, r.Best[EnforcementVerdict.NetworkDeny]);
    }

    [Fact]
    public void Probe_NoConfigButBtfHasLsmFunctions_CountsAsCompiledIn()
    {
        Put("/sys/kernel/security/lsm", "capability,yama");
        Put("/sys/kernel/btf/vmlinux", "....bpf_lsm_file_open....");
        var r = EnforcementPaths.Probe(_root, "z");
        Assert.True(r.BpfLsmCompiledIn);
        Assert.Contains("lsm=capability,yama,bpf", r.LsmHint, StringComparison.Ordinal);
        Assert.Equal(EnforcementMechanism.InKernelSignal, r.Best[EnforcementVerdict.ExecDeny]);
    }

    [Fact]
    public void Probe_ListedButRefused_FallsBackWithSandboxHint()
    {
        Put("/sys/kernel/security/lsm", "lockdown,capability,bpf");
        Put("/sys/fs/cgroup/cgroup.controllers", "cpu");
        Put("/sys/kernel/btf/vmlinux", "btf");
        var r = EnforcementPaths.Probe(_root, "x", lsmLoadable: false);
        Assert.True(r.BpfLsmListed);
        Assert.False(r.BpfLsmActive);
        Assert.Contains("refused", r.LsmHint, StringComparison.Ordinal);
        Assert.Equal(EnforcementMechanism.Cgroup, r.Best[EnforcementVerdict.NetworkDeny]);
        Assert.Equal(EnforcementMechanism.InKernelSignal, r.Best[EnforcementVerdict.Kill]);
    }

    [Fact]
    public void Probe_EmptyTree_DoesNotThrow()
    {
        var r = EnforcementPaths.Probe(_root, "none");
        Assert.False(r.BpfLsmActive);
        Assert.Empty(r.ActiveLsms);
    }

    [Fact]
    public void Probe_ThisHost_MatchesSecurityFs()
    {
        var r = EnforcementPaths.Probe();
        string? lsm = File.Exists("/sys/kernel/security/lsm") ? File.ReadAllText("/sys/kernel/security/lsm") : null;
        Assert.Equal(lsm is not null && lsm.Trim().Split(',').Contains("bpf"), r.BpfLsmListed);
        Assert.Equal(r.BpfLsmListed, r.BpfLsmActive);
        Assert.Equal(r.BpfLsmActive, r.LsmHint is null);
        Assert.Equal(Environment.OSVersion.Version.Major.ToString(System.Globalization.CultureInfo.InvariantCulture), r.KernelRelease.Split('.')[0]);
    }
}
