using Harrier.Engine.Enforcement;
using Harrier.Interop;

namespace Harrier.Engine.Tests.Enforcement;

/// <summary>Policy paths resolved as the host sees them when Harrier has a mount namespace of its own (no root needed).</summary>
public sealed class HostViewTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("harrier-hostview-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string FakeProc(string selfNs, string initNs, bool initRoot = true)
    {
        string proc = Path.Combine(_dir.FullName, "proc");
        Directory.CreateDirectory(Path.Combine(proc, "self", "ns"));
        Directory.CreateDirectory(Path.Combine(proc, "1", "ns"));
        File.CreateSymbolicLink(Path.Combine(proc, "self", "ns", "mnt"), selfNs);
        File.CreateSymbolicLink(Path.Combine(proc, "1", "ns", "mnt"), initNs);
        if (initRoot)
        {
            Directory.CreateDirectory(Path.Combine(proc, "1", "root"));
        }

        return proc;
    }

    [Fact]
    public void HostRoot_OwnMountNamespace_IsInitsRoot()
    {
        string proc = FakeProc("mnt:[4026532701]", "mnt:[4026531841]");
        Assert.Equal(Path.Combine(proc, "1", "root"), HostMountNamespace.HostRoot(proc));
    }

    [Fact]
    public void HostRoot_SameNamespace_IsNull()
    {
        Assert.Null(HostMountNamespace.HostRoot(FakeProc("mnt:[4026531841]", "mnt:[4026531841]")));
    }

    [Fact]
    public void HostRoot_InitUnreadable_IsNullNotAnError()
    {
        string proc = Path.Combine(_dir.FullName, "proc");
        Directory.CreateDirectory(Path.Combine(proc, "self", "ns"));
        File.CreateSymbolicLink(Path.Combine(proc, "self", "ns", "mnt"), "mnt:[4026532701]");
        Assert.Null(HostMountNamespace.HostRoot(proc));
        Assert.Null(HostMountNamespace.HostRoot(Path.Combine(_dir.FullName, "no-proc")));
    }

    [Fact]
    public void HostRoot_ThisProcess_IsNullInTheTestsNamespace()
    {
        // The tests run in init's mount namespace (CI, this machine): resolution stays the plain stat(2).
        string? self = new FileInfo("/proc/self/ns/mnt").LinkTarget;
        string? init = null;
        try
        {
            init = new FileInfo("/proc/1/ns/mnt").LinkTarget;
        }
        catch (UnauthorizedAccessException)
        {
        }

        if (init is not null && self == init)
        {
            Assert.Null(HostMountNamespace.HostRoot());
        }
    }

    [Fact]
    public void StatInRoot_AbsoluteSymlink_ResolvedInsideTheRoot()
    {
        // root/etc/secret is "the host's" file; root/link -> /etc/secret must name it, not this machine's /etc/secret.
        string root = Path.Combine(_dir.FullName, "root");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        string secret = Path.Combine(root, "etc", "secret");
        File.WriteAllText(secret, "s");
        File.CreateSymbolicLink(Path.Combine(root, "link"), "/etc/secret");
        Assert.Equal(0, LibbpfLsm.Stat(secret, out ulong dev, out ulong ino, out _));

        Assert.Equal(0, LibbpfLsm.StatInRoot(root, "/link", out ulong dev2, out ulong ino2, out uint mode));
        Assert.Equal((dev, ino), (dev2, ino2));
        Assert.Equal(0x8000u, mode & 0xF000); // a regular file

        var id = PolicyFileIdentity.Resolve("/etc/secret", out int errno, hostRoot: root);
        Assert.Equal(0, errno);
        Assert.Equal(ino, id!.Value.Ino);
        Assert.False(id.Value.IsDirectory);
    }

    [Fact]
    public void StatInRoot_DotDotAndMissing_StayInsideTheRootAndFailCleanly()
    {
        string root = Path.Combine(_dir.FullName, "root2");
        Directory.CreateDirectory(root);

        // "/../../etc/hostname" cannot climb out of the root: it is root/etc/hostname, which does not exist.
        Assert.Equal(-2, LibbpfLsm.StatInRoot(root, "/../../etc/hostname", out _, out _, out _));
        Assert.Null(PolicyFileIdentity.Resolve("/no/such/file", out int errno, hostRoot: root));
        Assert.Equal(2, errno);
        Assert.Equal(-2, LibbpfLsm.StatInRoot(Path.Combine(root, "missing-root"), "/x", out _, out _, out _));
    }
}
