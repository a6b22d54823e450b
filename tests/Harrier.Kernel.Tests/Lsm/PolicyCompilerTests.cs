using System.Buffers.Binary;
using Harrier.Engine.Enforcement;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Lsm;

public sealed class PolicyCompilerTests
{
    private static readonly Dictionary<string, PolicyFileIdentity> Files = new()
    {
        ["/usr/bin/nc"] = new PolicyFileIdentity(0x800001, 1234, false),
        ["/etc/shadow"] = new PolicyFileIdentity(0x800001, 42, false),
        ["/etc/ssh"] = new PolicyFileIdentity(0x800001, 77, true),
        ["/sys/fs/cgroup/app"] = new PolicyFileIdentity(0x1a, 9001, true),
    };

    private static PolicyFileIdentity? Fake(string path, out string? error)
    {
        if (Files.TryGetValue(path, out var id))
        {
            error = null;
            return id;
        }
        error = "errno 2 (No such file or directory)";
        return null;
    }

    private static IReadOnlyList<PolicyEntry> Compile(out IReadOnlyList<string> errors, params EnforcementPolicy[] p) =>
        PolicyCompiler.Compile(p, Fake, out errors);

    [Fact]
    public void Compile_ExecPath_WritesInodeKeyAndDenyValue()
    {
        var e = Assert.Single(Compile(out var errors, new EnforcementPolicy { Kind = PolicyKind.ExecPath, Value = "/usr/bin/nc", RuleId = 7 }));
        Assert.Empty(errors);
        Assert.Equal(PolicyTable.Inode, e.Table);
        Assert.Equal(1234UL, BinaryPrimitives.ReadUInt64LittleEndian(e.Key));
        Assert.Equal(0x800001U, BinaryPrimitives.ReadUInt32LittleEndian(e.Key.AsSpan(8)));
        Assert.Equal(7U, BinaryPrimitives.ReadUInt32LittleEndian(e.Value));
        Assert.Equal((ushort)PolicyOperations.Exec, BinaryPrimitives.ReadUInt16LittleEndian(e.Value.AsSpan(4)));
        Assert.Equal(1, e.Value[6]); // deny
        Assert.Equal(0, e.Value[7]); // no flags
    }

    [Fact]
    public void Compile_FilePrefixKillMonitor_SetsSubtreeMonitorAndKill()
    {
        var e = Assert.Single(Compile(out _, new EnforcementPolicy { Kind = PolicyKind.FilePrefix, Value = "/etc/ssh", RuleId = 3, Action = RuleAction.Kill, Monitor = true }));
        Assert.Equal(2, e.Value[6]);
        Assert.Equal(1 | 2, e.Value[7]);
        Assert.Equal((ushort)PolicyOperations.FileAll, BinaryPrimitives.ReadUInt16LittleEndian(e.Value.AsSpan(4)));
    }

    [Fact]
    public void Compile_ManyBadPolicies_ReportsEveryErrorAndNoEntries()
    {
        var entries = Compile(
            out var errors,
            new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = "etc/shadow", RuleId = 1 },
            new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = "/nope", RuleId = 2 },
            new EnforcementPolicy { Kind = PolicyKind.FilePrefix, Value = "/etc/shadow", RuleId = 3 },
            new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "10.0.0.0/33", RuleId = 4 },
            new EnforcementPolicy { Kind = PolicyKind.Uid, Value = "1000", RuleId = 5 },
            new EnforcementPolicy { Kind = PolicyKind.ExecPath, Value = "/usr/bin/nc", RuleId = 0, Action = RuleAction.Alert },
            new EnforcementPolicy { Kind = PolicyKind.ExecPath, Value = "/usr/bin/nc", RuleId = 6, Operations = PolicyOperations.Connect },
            new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = "/etc/shadow", RuleId = 8 });
        Assert.Empty(entries);
        Assert.Equal(8, errors.Count);
        Assert.Contains(errors, e => e.Contains("absolute", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("must exist", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("needs a directory", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("prefix length", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("must list their operations", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("rule id must be > 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("deny or kill", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("do not apply", StringComparison.Ordinal));
        Assert.All(errors, e => Assert.StartsWith("policy #", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_SameFileTwice_IsRejectedAsDuplicate()
    {
        Compile(
            out var errors,
            new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = "/etc/shadow", RuleId = 1 },
            new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = "/etc/shadow", RuleId = 2 });
        Assert.Contains("same kernel key as policy #0", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.2.3/8", 24 + 8, 2, 0, "0A000000")]
    [InlineData("10.1.2.3/8:443", 24 + 8, 2, 443, "0A000000")]
    [InlineData("192.168.1.5", 24 + 32, 2, 0, "C0A80105")]
    [InlineData("127.0.0.1:80", 24 + 32, 2, 80, "7F000001")]
    [InlineData("::1", 24 + 128, 10, 0, "00000000000000000000000000000001")]
    [InlineData("[2001:db8:ffff::/32]:8443", 24 + 32, 10, 8443, "20010DB8000000000000000000000000")]
    [InlineData("::ffff:10.0.0.0/104", 24 + 8, 2, 0, "0A000000")]
    [InlineData("0.0.0.0/0", 24, 2, 0, "00000000")]
    public void TryParseNet_ValidForms_BuildsMaskedLpmKey(string text, int prefixLen, int family, int port, string addrHex)
    {
        Assert.True(PolicyCompiler.TryParseNet(text, out var key, out var error), error);
        Assert.Equal(24, key.Length);
        Assert.Equal((uint)prefixLen, BinaryPrimitives.ReadUInt32LittleEndian(key));
        Assert.Equal(family, key[4]);
        Assert.Equal(port, BinaryPrimitives.ReadUInt16BigEndian(key.AsSpan(5)));
        Assert.Equal(addrHex, Convert.ToHexString(key, 7, addrHex.Length / 2));
        Assert.All(key.Skip(7 + (addrHex.Length / 2)), b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData("300.1.1.1")]
    [InlineData("10.0.0.0/8:0")]
    [InlineData("10.0.0.0/8:70000")]
    [InlineData("[::1/128")]
    [InlineData("[::1]x")]
    [InlineData("fe80::1%eth0")]
    [InlineData("example.com")]
    [InlineData("10.0.0.0/-1")]
    public void TryParseNet_Invalid_ReturnsError(string text)
    {
        Assert.False(PolicyCompiler.TryParseNet(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Compile_UidWildcardAndCgroupPath_UseTheirKeys()
    {
        var entries = Compile(
            out var errors,
            new EnforcementPolicy { Kind = PolicyKind.Uid, Value = "*", RuleId = 1, Operations = PolicyOperations.Module },
            new EnforcementPolicy { Kind = PolicyKind.Cgroup, Value = "/sys/fs/cgroup/app", RuleId = 2, Operations = PolicyOperations.Connect | PolicyOperations.Exec },
            new EnforcementPolicy { Kind = PolicyKind.Cgroup, Value = "12345", RuleId = 3, Operations = PolicyOperations.Mount });
        Assert.Empty(errors);
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(entries[0].Key));
        Assert.Equal(9001UL, BinaryPrimitives.ReadUInt64LittleEndian(entries[1].Key));
        Assert.Equal(12345UL, BinaryPrimitives.ReadUInt64LittleEndian(entries[2].Key));
        Assert.Equal((ushort)(PolicyOperations.Connect | PolicyOperations.Exec), BinaryPrimitives.ReadUInt16LittleEndian(entries[1].Value.AsSpan(4)));
    }

    [Theory]
    [InlineData("exec-path", PolicyKind.ExecPath)]
    [InlineData("FILE-PREFIX", PolicyKind.FilePrefix)]
    [InlineData(" connect-cidr ", PolicyKind.ConnectCidr)]
    [InlineData("cgroup", PolicyKind.Cgroup)]
    public void PolicyKinds_TryParse_KnownNames(string name, PolicyKind expected)
    {
        Assert.True(PolicyKinds.TryParse(name, out var kind));
        Assert.Equal(expected, kind);
        Assert.Equal(name.Trim().ToLowerInvariant(), PolicyKinds.Name(kind));
    }

    [Fact]
    public void PolicyKinds_Operations_RoundTripAndRejectUnknown()
    {
        Assert.True(PolicyKinds.TryParseOperations("exec, connect|mount", out var ops, out _));
        Assert.Equal(PolicyOperations.Exec | PolicyOperations.Connect | PolicyOperations.Mount, ops);
        Assert.Equal("exec,connect,mount", PolicyKinds.FormatOperations(ops));
        Assert.False(PolicyKinds.TryParseOperations("exec,teleport", out _, out var unknown));
        Assert.Equal("teleport", unknown);
        Assert.False(PolicyKinds.TryParse("exec", out _));
    }

    [Theory]
    [InlineData(0x801UL, (8U << 20) | 1)]
    [InlineData(0x10303UL, (259U << 20) | 3)]
    [InlineData(0x2aUL, 42U)]
    [InlineData(0x100000UL, 256U)] // minor 256 lives in the high bits of the user encoding
    public void KernelDev_UserEncoding_ConvertsToKernelEncoding(ulong user, uint kernel)
    {
        Assert.Equal(kernel, PolicyFileIdentity.KernelDev(user));
    }

    [Fact]
    public void Resolve_RealPaths_ReturnsDirectoryFlagOrErrno()
    {
        var root = PolicyFileIdentity.Resolve("/", out _);
        Assert.NotNull(root);
        Assert.True(root.Value.IsDirectory);
        Assert.Null(PolicyFileIdentity.Resolve("/nonexistent-" + Guid.NewGuid().ToString("N"), out int errno));
        Assert.Equal(2, errno);
        var self = PolicyFileIdentity.Resolve("/proc/self/exe", out _);
        Assert.NotNull(self);
        Assert.False(self.Value.IsDirectory);
        Assert.NotEqual(0UL, self.Value.Ino);
    }
}
