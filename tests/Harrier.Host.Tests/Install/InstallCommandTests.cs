using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Harrier.Host.Install;

namespace Harrier.Host.Tests.Install;

[SupportedOSPlatform("linux")]
public sealed class InstallCommandTests : IDisposable
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly TempDirectory _dir = new();
    private readonly string _program;
    private readonly string _root;

    public InstallCommandTests()
    {
        _program = _dir.Combine("build");
        _root = _dir.Combine("root");
        try
        {
            File.SetUnixFileMode(_dir.Write("build/harrier", "#!/bin/sh\necho harrier\n"), Executable);
            _dir.Write("build/harrier.dll", "assembly");
            _dir.Write("build/runtimes/linux-x64/native/librdkafka.so", "native");
            _dir.Write("build/appsettings.json", File.ReadAllText(RepoFiles.AppSettings));
            _dir.Write("build/deploy/harrier.service", File.ReadAllText(RepoFiles.Unit));
            _dir.Write("build/rules/default/harrier_rules.yaml", "- rule: a\n");
            _dir.Write("build/rules/default/extra/more.yaml", "- rule: b\n");
        }
        catch
        {
            _dir.Dispose(); // xunit does not dispose a class whose constructor threw
            throw;
        }
    }

    public void Dispose() => _dir.Dispose();

    private int Run(TextWriter o, params string[] args) => InstallCommand.Run(args, o, _program);

    private IReadOnlyList<string> Files() =>
        Directory.Exists(_root)
            ? Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root, f)).Order(StringComparer.Ordinal).ToList()
            : Array.Empty<string>();

    [Fact]
    public void Install_IntoRoot_LaysOutExactlyTheDocumentedFiles()
    {
        var o = new StringWriter();

        int code = Run(o, "install", "--root", _root);

        Assert.True(code == 0, o.ToString());
        Assert.Equal(
            new[]
            {
                "etc/harrier/appsettings.json",
                "etc/harrier/rules/extra/more.yaml",
                "etc/harrier/rules/harrier_rules.yaml",
                "etc/systemd/system/harrier.service",
                "usr/local/lib/harrier/appsettings.json",
                "usr/local/lib/harrier/deploy/harrier.service",
                "usr/local/lib/harrier/harrier",
                "usr/local/lib/harrier/harrier.dll",
                "usr/local/lib/harrier/rules/default/extra/more.yaml",
                "usr/local/lib/harrier/rules/default/harrier_rules.yaml",
                "usr/local/lib/harrier/runtimes/linux-x64/native/librdkafka.so",
            },
            Files());
        Assert.True(Directory.Exists(Path.Combine(_root, "var/lib/harrier/spool")));
        Assert.True(Directory.Exists(Path.Combine(_root, "etc/harrier/conf.d")));
        Assert.Equal(File.ReadAllText(RepoFiles.Unit), File.ReadAllText(Path.Combine(_root, "etc/systemd/system/harrier.service")));
        Assert.True(File.GetUnixFileMode(Path.Combine(_root, "usr/local/lib/harrier/harrier")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_root, "var/lib/harrier")));
        Assert.False(File.GetUnixFileMode(Path.Combine(_root, "etc/harrier/appsettings.json")).HasFlag(UnixFileMode.OtherRead));
    }

    [Fact]
    public void Install_Config_PointsRulesAtInstalledDirectoryAndKeepsOtherKeys()
    {
        Assert.Equal(0, Run(TextWriter.Null, "install", "--root", _root));

        var installed = JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "etc/harrier/appsettings.json")))!;
        var original = JsonNode.Parse(File.ReadAllText(RepoFiles.AppSettings))!;

        Assert.Equal("/etc/harrier/rules", installed["Rules"]!["Paths"]!.AsArray().Single()!.GetValue<string>());
        Assert.Equal(original["Enrichment"]!.ToJsonString(), installed["Enrichment"]!.ToJsonString());
        Assert.Equal(original.AsObject().Select(p => p.Key), installed.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Install_Again_KeepsExistingConfigAndReplacesProgram()
    {
        Assert.Equal(0, Run(TextWriter.Null, "install", "--root", _root));
        var config = Path.Combine(_root, "etc/harrier/appsettings.json");
        File.WriteAllText(config, """{ "Enrichment": { "MaxProcesses": 7 } }""");
        _dir.Write("build/harrier.dll", "assembly v2");
        File.Delete(Path.Combine(_program, "runtimes/linux-x64/native/librdkafka.so"));
        var o = new StringWriter();

        Assert.Equal(0, Run(o, "install", "--root", _root));

        Assert.Contains("kept existing", o.ToString(), StringComparison.Ordinal);
        Assert.Equal("""{ "Enrichment": { "MaxProcesses": 7 } }""", File.ReadAllText(config));
        Assert.Equal("assembly v2", File.ReadAllText(Path.Combine(_root, "usr/local/lib/harrier/harrier.dll")));
        Assert.False(File.Exists(Path.Combine(_root, "usr/local/lib/harrier/runtimes/linux-x64/native/librdkafka.so"))); // no stale files
        Assert.False(Directory.Exists(Path.Combine(_root, "usr/local/lib/harrier.new")));
        Assert.False(Directory.Exists(Path.Combine(_root, "usr/local/lib/harrier.old")));
    }

    [Fact]
    public void Uninstall_KeepsConfigAndAdminRules()
    {
        Assert.Equal(0, Run(TextWriter.Null, "install", "--root", _root));
        _dir.Write("root/etc/harrier/rules/local.yaml", "- rule: mine\n");
        _dir.Write("root/etc/harrier/conf.d/50-kafka.json", "{}");
        Directory.CreateDirectory(Path.Combine(_root, "etc/systemd/system/multi-user.target.wants"));
        File.CreateSymbolicLink(Path.Combine(_root, "etc/systemd/system/multi-user.target.wants/harrier.service"), "/etc/systemd/system/harrier.service");

        int code = Run(TextWriter.Null, "uninstall", "--root", _root);

        Assert.Equal(0, code);
        Assert.Equal(new[] { "etc/harrier/appsettings.json", "etc/harrier/conf.d/50-kafka.json", "etc/harrier/rules/local.yaml" }, Files());
        Assert.False(Directory.Exists(Path.Combine(_root, "usr/local/lib/harrier")));
        Assert.False(Directory.Exists(Path.Combine(_root, "var/lib/harrier"))); // empty state is removed
        Assert.False(new FileInfo(Path.Combine(_root, "etc/systemd/system/multi-user.target.wants/harrier.service")).Exists);
    }

    [Fact]
    public void Uninstall_PendingSpool_IsKeptAndReported()
    {
        Assert.Equal(0, Run(TextWriter.Null, "install", "--root", _root));
        _dir.Write("root/var/lib/harrier/spool/000001.alerts", "undelivered");
        var o = new StringWriter();

        Assert.Equal(0, Run(o, "uninstall", "--root", _root));

        Assert.True(File.Exists(Path.Combine(_root, "var/lib/harrier/spool/000001.alerts")));
        Assert.Contains("undelivered", o.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Uninstall_Purge_RemovesEverything()
    {
        Assert.Equal(0, Run(TextWriter.Null, "install", "--root", _root));
        _dir.Write("root/var/lib/harrier/spool/000001.alerts", "undelivered");

        Assert.Equal(0, Run(TextWriter.Null, "uninstall", "--root", _root, "--purge"));

        Assert.Empty(Files());
        Assert.False(Directory.Exists(Path.Combine(_root, "etc/harrier")));
        Assert.False(Directory.Exists(Path.Combine(_root, "var/lib/harrier")));
    }

    [Fact]
    public void Install_IncompleteProgramDirectory_FailsNamingWhatIsMissing()
    {
        File.Delete(Path.Combine(_program, "deploy/harrier.service"));
        Directory.Delete(Path.Combine(_program, "rules"), recursive: true);
        var o = new StringWriter();

        int code = Run(o, "install", "--root", _root);

        Assert.Equal(1, code);
        Assert.Contains("deploy/harrier.service", o.ToString(), StringComparison.Ordinal);
        Assert.Contains("rules/default", o.ToString(), StringComparison.Ordinal);
        Assert.Empty(Files());
    }

    [Fact]
    public void Install_TargetInsideProgramDirectory_Fails()
    {
        var o = new StringWriter();

        int code = Run(o, "install", "--root", Path.Combine(_program, "stage"));

        Assert.Equal(1, code);
        Assert.Contains("inside the program directory", o.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Install_FromRealBuildOutput_InstallsProgramUnitConfigAndRules()
    {
        // The test's own output directory is a build of Harrier.Host plus the test assemblies: the same files
        // `make build` publishes (the apphost, appsettings.json, deploy/, rules/default/).
        var program = AppContext.BaseDirectory;
        var o = new StringWriter();

        int code = InstallCommand.Run(["install", $"--root={_root}"], o, program);

        Assert.True(code == 0, o.ToString());
        Assert.True(File.GetUnixFileMode(Path.Combine(_root, "usr/local/lib/harrier/harrier")).HasFlag(UnixFileMode.UserExecute));
        Assert.True(File.Exists(Path.Combine(_root, "usr/local/lib/harrier/harrier.dll")));
        Assert.Equal(File.ReadAllText(RepoFiles.Unit), File.ReadAllText(Path.Combine(_root, "etc/systemd/system/harrier.service")));
        var shipped = Directory.GetFiles(Path.Combine(RepoFiles.Root, "rules/default"), "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(RepoFiles.Root, "rules/default"), f)).Order(StringComparer.Ordinal);
        var installed = Directory.GetFiles(Path.Combine(_root, "etc/harrier/rules"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(_root, "etc/harrier/rules"), f)).Order(StringComparer.Ordinal);
        Assert.Equal(shipped, installed);
        Assert.NotEmpty(installed);

        Assert.Equal(0, InstallCommand.Run(["uninstall", $"--root={_root}"], o, program));
        Assert.Equal(new[] { "etc/harrier/appsettings.json" }, Files());
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("install", "--purge")]
    [InlineData("install", "--root")]
    [InlineData("uninstall", "--bogus")]
    public void Run_BadArguments_IsUsageError(params string[] args)
    {
        var o = new StringWriter();

        Assert.Equal(2, Run(o, args));
        Assert.Contains("usage:", o.ToString(), StringComparison.Ordinal);
    }
}
