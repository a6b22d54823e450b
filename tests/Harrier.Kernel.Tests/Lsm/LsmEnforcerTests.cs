using Harrier.Engine.Enforcement;

namespace Harrier.Kernel.Tests.Lsm;

public sealed class LsmEnforcerTests
{
    [Fact]
    public void Options_Invalid_ReportsEveryProblem()
    {
        var errors = new LsmEnforcerOptions { PinRoot = "relative", ObjectResource = "", ObjectPath = "/nonexistent/x.o" }.Validate();
        Assert.Equal(2, errors.Count);
        Assert.Single(new LsmEnforcerOptions { PinRoot = "/sys/fs/bpf" }.Validate());
        Assert.Single(new LsmEnforcerOptions { PinRoot = "/sys/fs/bpf/harrier/../x" }.Validate());
        Assert.Empty(new LsmEnforcerOptions().Validate());
    }

    [Fact]
    public void Start_InvalidOptions_ThrowsWithAllProblems()
    {
        var ex = Assert.Throws<LsmEnforcementException>(() => LsmEnforcer.Start(new LsmEnforcerOptions { PinRoot = "x", ObjectResource = "" }));
        Assert.Contains("PinRoot", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ObjectResource", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_MissingResource_SaysHowToBuildIt()
    {
        var ex = Assert.Throws<LsmEnforcementException>(() => LsmEnforcer.Start(new LsmEnforcerOptions { ObjectResource = "lsm-hooks/none.bpf.o" }));
        Assert.Contains("make -C lsm-hooks", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectIsEmbedded()
    {
        using var s = typeof(LsmEnforcer).Assembly.GetManifestResourceStream("lsm-hooks/harrier_lsm.bpf.o");
        Assert.NotNull(s);
        var head = new byte[4];
        s.ReadExactly(head);
        Assert.Equal("7F454C46", Convert.ToHexString(head)); // ELF
    }

    [Fact]
    public void PossibleCpus_ParsesRangesAndLists()
    {
        string f = Path.GetTempFileName();
        try
        {
            File.WriteAllText(f, "0-3,8-11\n");
            Assert.Equal(12, LsmEnforcer.PossibleCpus(f));
            File.WriteAllText(f, "0\n");
            Assert.Equal(1, LsmEnforcer.PossibleCpus(f));
            File.WriteAllText(f, "garbage");
            Assert.Equal(Environment.ProcessorCount, LsmEnforcer.PossibleCpus(f));
        }
        finally
        {
            File.Delete(f);
        }
    }

    [Fact]
    public void Unpin_MissingDirectory_IsNotAnError()
    {
        Assert.Empty(LsmEnforcer.Unpin("/sys/fs/bpf/harrier/never-" + Guid.NewGuid().ToString("N")));
    }

    /// <summary>
    /// On a kernel without active BPF LSM (this build host: lockdown/yama only) Start must fail with a clear,
    /// actionable error and leave no pins behind; where BPF LSM is active it must load and pin.
    /// </summary>
    [RootFact]
    public void Start_ThisKernel_LoadsWhereBpfLsmIsActiveElseClearErrorAndNoPins()
    {
        string root = "/sys/fs/bpf/harrier/test-" + Guid.NewGuid().ToString("N")[..8];
        var paths = EnforcementPaths.Probe();
        try
        {
            LsmEnforcer? e = null;
            var ex = Record.Exception(() => e = LsmEnforcer.Start(new LsmEnforcerOptions { PinRoot = root }));
            if (e is not null)
            {
                using (e)
                {
                    Assert.True(paths.BpfLsmListed, "loaded although bpf is not an active LSM");
                    Assert.True(e.ProgramCount >= 15);
                    Assert.True(File.Exists(Path.Combine(root, "link_harrier_file_open")));
                }
            }
            else
            {
                var failure = Assert.IsType<LsmEnforcementException>(ex);
                Assert.Equal(1, failure.Errno); // EPERM: not listed, or listed but refused (this sandboxed host)
                Assert.Contains("refused BPF LSM programs (EPERM)", failure.Message, StringComparison.Ordinal);
                Assert.Contains(paths.BpfLsmListed ? "blocks BPF_PROG_TYPE_LSM" : "lsm=", failure.Message, StringComparison.Ordinal);
                Assert.Empty(Directory.GetFiles(root, "link_*"));
                var fallback = EnforcementPaths.Probe(lsmLoadable: false);
                Assert.False(fallback.BpfLsmActive);
                Assert.NotEqual(EnforcementMechanism.BpfLsm, fallback.Best[EnforcementVerdict.ExecDeny]);
            }
        }
        finally
        {
            Assert.Empty(LsmEnforcer.Unpin(root));
        }
        Assert.False(Directory.Exists(root));
    }
}
