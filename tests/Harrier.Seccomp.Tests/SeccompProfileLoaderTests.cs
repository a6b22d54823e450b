using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Tests;

public class SeccompProfileLoaderTests
{
    [Fact]
    public void Parse_ValidProfile_ReadsEveryField()
    {
        const string yaml = """
            defaultAction: errno
            defaultErrno: ENOSYS
            architectures: [x86_64]
            syscalls:
              - names: [read, write]
                action: allow
              - names: [mkdir]
                action: errno
                errno: EACCES
              - names: [connect]
                action: notify
              - names: [ptrace]
                action: kill_process
              - names: [fstat]
                action: trace
                errno: 42
            """;
        var p = SeccompProfileLoader.Parse(yaml, "p.yaml");
        Assert.Equal(SeccompAction.Errno, p.DefaultAction);
        Assert.Equal(38, p.DefaultErrno);
        Assert.Equal(["x86_64"], p.Architectures);
        Assert.Equal(5, p.Syscalls.Count);
        Assert.Equal(["read", "write"], p.Syscalls[0].Names);
        Assert.Equal(SeccompAction.Allow, p.Syscalls[0].Action);
        Assert.Null(p.Syscalls[0].Errno);
        Assert.Equal(5, p.Syscalls[0].Line);
        Assert.Equal(13, p.Syscalls[1].Errno);
        Assert.Equal(SeccompAction.Notify, p.Syscalls[2].Action);
        Assert.Equal(SeccompAction.KillProcess, p.Syscalls[3].Action);
        Assert.Equal(42, p.Syscalls[4].Errno);
        Assert.True(p.UsesNotify);
    }

    [Fact]
    public void Parse_ErrnoWithoutValue_DefaultsToEperm()
    {
        var p = SeccompProfileLoader.Parse("defaultAction: allow\nsyscalls:\n  - names: [mkdir]\n    action: errno\n");
        Assert.Equal(1, p.Syscalls[0].Errno);
    }

    [Fact]
    public void Parse_UnknownSyscall_ErrorNamesItWithFileLineAndSuggestion()
    {
        const string yaml = "defaultAction: allow\nsyscalls:\n  - names: [read, mkdri]\n    action: errno\n";
        var e = Assert.Throws<SeccompProfileException>(() => SeccompProfileLoader.Parse(yaml, "profiles/x.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.StartsWith("profiles/x.yaml:3:", error, StringComparison.Ordinal);
        Assert.Contains("unknown syscall 'mkdri'", error, StringComparison.Ordinal);
        Assert.Contains("did you mean 'mkdir'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyProblems_ReportsAllAtOnce()
    {
        const string yaml = """
            defaultAction: maybe
            colour: blue
            architectures: [i386]
            syscalls:
              - names: [nosuchcall]
                action: errno
                errno: ENOTANERRNO
              - names: [read]
                action: allow
                errno: EPERM
              - names: [read]
                action: frobnicate
              - action: allow
              - names: [write]
                action: errno
                errno: 70000
                extra: 1
            """;
        var e = Assert.Throws<SeccompProfileException>(() => SeccompProfileLoader.Parse(yaml, "bad.yaml"));
        var all = string.Join("\n", e.Errors);
        Assert.Contains("bad.yaml:1:", all, StringComparison.Ordinal);
        Assert.Contains("defaultAction 'maybe'", all, StringComparison.Ordinal);
        Assert.Contains("unknown profile field 'colour'", all, StringComparison.Ordinal);
        Assert.Contains("architecture 'i386' is not supported", all, StringComparison.Ordinal);
        Assert.Contains("unknown syscall 'nosuchcall'", all, StringComparison.Ordinal);
        Assert.Contains("errno 'ENOTANERRNO'", all, StringComparison.Ordinal);
        Assert.Contains("errno is only allowed with action errno or trace, not allow", all, StringComparison.Ordinal);
        Assert.Contains("syscall 'read' is already listed at line 8", all, StringComparison.Ordinal);
        Assert.Contains("action 'frobnicate'", all, StringComparison.Ordinal);
        Assert.Contains("names must be a non-empty list", all, StringComparison.Ordinal);
        Assert.Contains("errno '70000'", all, StringComparison.Ordinal);
        Assert.Contains("unknown syscalls entry field 'extra'", all, StringComparison.Ordinal);
        Assert.Equal(11, e.Errors.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("- just\n- a list\n")]
    [InlineData("defaultAction: [allow]\n")]
    [InlineData("syscalls: []\n")]
    [InlineData("defaultAction: allow\nsyscalls: {read: allow}\n")]
    [InlineData("defaultAction: allow\nsyscalls:\n  - names: read\n    action: allow\n")]
    [InlineData("defaultAction: allow\n---\ndefaultAction: allow\n")]
    [InlineData("defaultAction: \"allow\n")]
    [InlineData("defaultAction: allow\nsyscalls:\n  - names: [\"read\\u0000x\"]\n    action: allow\n")]
    public void Parse_MalformedInput_ThrowsProfileException(string yaml)
    {
        Assert.Throws<SeccompProfileException>(() => SeccompProfileLoader.Parse(yaml, "m.yaml"));
    }

    [Fact]
    public void Parse_DuplicateKey_IsAnErrorNotACrash()
    {
        var e = Assert.Throws<SeccompProfileException>(() => SeccompProfileLoader.Parse("defaultAction: allow\ndefaultAction: errno\n", "d.yaml"));
        Assert.Contains("d.yaml:2:", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flow")]
    [InlineData("compact-sequence")]
    [InlineData("complex-key")]
    [InlineData("indent")]
    public void Parse_HostileNesting_IsRefusedBeforeTheParserRecurses(string kind)
    {
        // Each of these overflows YamlDotNet's recursive scanner/parser (a process crash) without the guard.
        string yaml = kind switch
        {
            "flow" => "defaultAction: allow\nx: " + new string('[', 200_000) + new string(']', 200_000),
            "compact-sequence" => "defaultAction: allow\nx:\n" + string.Concat(Enumerable.Repeat("- ", 500_000)) + "a",
            "complex-key" => "defaultAction: allow\n" + string.Concat(Enumerable.Repeat("? ", 500_000)) + "a",
            _ => "defaultAction: allow\nx:\n" + string.Concat(Enumerable.Range(1, 1200).Select(i => new string(' ', i) + "- \n")),
        };
        var e = Assert.Throws<SeccompProfileException>(() => SeccompProfileLoader.Parse(yaml, "n.yaml"));
        Assert.Matches(@"^n\.yaml:\d+: (.* nested deeper than|indented deeper than|more than 32 nested)", e.Message);
    }

    [Fact]
    public void LoadFile_Missing_ReportsPath()
    {
        var e = Assert.Throws<SeccompProfileException>(() => SeccompProfileLoader.LoadFile("/nonexistent/harrier.yaml"));
        Assert.Contains("/nonexistent/harrier.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_ShippedExampleProfiles_AreValid()
    {
        var dir = Path.Combine(RepoRoot(), "seccomp", "profiles");
        var files = Directory.GetFiles(dir, "*.yaml");
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var p = SeccompProfileLoader.LoadFile(f);
            Assert.NotNull(Filters.SeccompFilterCompiler.Compile(p));
        }
    }

    [Fact]
    public void Writer_RoundTripsThroughLoader()
    {
        const string yaml = "defaultAction: errno\ndefaultErrno: EACCES\nsyscalls:\n  - names: [read, write]\n    action: allow\n  - names: [fstat]\n    action: trace\n    errno: 9\n  - names: [mkdir]\n    action: errno\n    errno: 38\n";
        var p = SeccompProfileLoader.Parse(yaml);
        var again = SeccompProfileLoader.Parse(SeccompProfileWriter.ToYaml(p));
        Assert.Equal(p.DefaultAction, again.DefaultAction);
        Assert.Equal(p.DefaultErrno, again.DefaultErrno);
        Assert.Equal(p.Syscalls.Select(r => (string.Join(",", r.Names), r.Action, r.Errno)), again.Syscalls.Select(r => (string.Join(",", r.Names), r.Action, r.Errno)));
    }

    [Fact]
    public void SyscallTable_MatchesWellKnownNumbers()
    {
        Assert.True(SyscallTable.TryGetNumber("read", out int read));
        Assert.Equal(0, read);
        Assert.True(SyscallTable.TryGetNumber("connect", out int connect));
        Assert.Equal(42, connect);
        Assert.True(SyscallTable.TryGetNumber("execve", out int execve));
        Assert.Equal(59, execve);
        Assert.True(SyscallTable.TryGetNumber("openat", out int openat));
        Assert.Equal(257, openat);
        Assert.True(SyscallTable.TryGetNumber("clone3", out int clone3));
        Assert.Equal(435, clone3);
        Assert.True(SyscallTable.TryGetNumber("mseal", out int mseal));
        Assert.Equal(462, mseal);
        Assert.False(SyscallTable.TryGetNumber("socketcall", out _)); // i386 only
        Assert.True(SyscallTable.All.Count > 370);
    }

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Harrier.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
