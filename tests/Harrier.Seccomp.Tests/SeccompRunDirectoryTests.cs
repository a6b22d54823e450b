using Harrier.Events;
using Harrier.Seccomp.Observe;
using Harrier.Seccomp.Profiles;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Seccomp.Tests;

/// <summary>Registrations shared between `harrier exec` and the daemon, against a fake /proc.</summary>
public sealed class SeccompRunDirectoryTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("harrier-rundir-");
    private readonly string _run;
    private readonly string _proc;
    private readonly SeccompProfile _profile = SeccompProfileLoader.Parse("defaultAction: allow\nsyscalls:\n  - names: [mkdir]\n    action: errno\n", "/etc/harrier/deny-mkdir.yaml");

    public SeccompRunDirectoryTests()
    {
        _run = Directory.CreateDirectory(Path.Combine(_root.FullName, "run")).FullName;
        _proc = Directory.CreateDirectory(Path.Combine(_root.FullName, "proc")).FullName;
    }

    public void Dispose() => _root.Delete(recursive: true);

    private void FakeProcess(int pid, ulong start)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        // comm with a space and a parenthesis, as /proc allows
        var fields = string.Join(' ', Enumerable.Range(3, 50).Select(i => i == 22 ? start.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0"));
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} (my (app)) {fields}\n");
    }

    [Fact]
    public void Register_ThenReadAll_RoundTripsProfileAndSource()
    {
        FakeProcess(123, 4242);
        var file = SeccompRunDirectory.Register(_run, 123, _profile, _proc);
        Assert.Equal(Path.Combine(_run, "123.yaml"), file);
        var problems = new List<string>();
        var (pid, profile) = Assert.Single(SeccompRunDirectory.ReadAll(_run, problems, _proc));
        Assert.Empty(problems);
        Assert.Equal(123, pid);
        Assert.Equal("/etc/harrier/deny-mkdir.yaml", profile.Source);
        Assert.Equal(["mkdir"], profile.Syscalls[0].Names);
        SeccompRunDirectory.Unregister(file);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void Register_MissingDirectoryOrExitedProcess_WritesNothing()
    {
        FakeProcess(123, 1);
        Assert.Null(SeccompRunDirectory.Register(Path.Combine(_root.FullName, "absent"), 123, _profile, _proc));
        Assert.Null(SeccompRunDirectory.Register(_run, 999, _profile, _proc));
        Assert.Empty(Directory.GetFiles(_run));
    }

    [Fact]
    public void ReadAll_PidReusedOrGone_FileIsIgnoredAndRemoved()
    {
        FakeProcess(123, 100);
        var file = SeccompRunDirectory.Register(_run, 123, _profile, _proc)!;
        FakeProcess(123, 200); // same pid, another process
        Assert.Empty(SeccompRunDirectory.ReadAll(_run, [], _proc));
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void ReadAll_GarbageFiles_AreReportedNotThrown()
    {
        FakeProcess(5, 1);
        File.WriteAllText(Path.Combine(_run, "5.yaml"), "defaultAction: allow\n");
        File.WriteAllText(Path.Combine(_run, "notapid.yaml"), "x");
        File.WriteAllText(Path.Combine(_run, "6.yaml"), "# harrier-exec: pid=6 start=1 source=x\ndefaultAction: [\n");
        FakeProcess(6, 1);
        var problems = new List<string>();
        Assert.Empty(SeccompRunDirectory.ReadAll(_run, problems, _proc));
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void Registry_WithRunDirectory_PicksUpOtherProcessesAndForgetsThemAfterExit()
    {
        var time = new FakeTimeProvider();
        var registry = new SeccompProcessRegistry(time, TimeSpan.FromSeconds(5), _run, _proc);
        FakeProcess(321, 7);
        var file = SeccompRunDirectory.Register(_run, 321, _profile, _proc);
        var denied = new FileEvent { Type = EventType.Mkdir, Pid = 321, Res = -1, Path = "/x" };

        Assert.True(registry.TryExplain(denied, out var d));
        Assert.Equal("/etc/harrier/deny-mkdir.yaml", d.Policy);

        SeccompRunDirectory.Unregister(file);
        time.Advance(TimeSpan.FromSeconds(1)); // next re-scan notices the exit
        Assert.True(registry.TryExplain(denied, out _)); // still within the grace
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(registry.TryExplain(denied, out _));
        Assert.Equal(0, registry.DirectoryProblems);
    }
}
