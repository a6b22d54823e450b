using System.Text.Json;
using Harrier.Seccomp.Cli;
using Harrier.Seccomp.Oci;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Tests;

public class OciSeccompConverterTests
{
    private const string Yaml = """
        defaultAction: errno
        syscalls:
          - names: [read, write, exit_group]
            action: allow
          - names: [mkdir]
            action: errno
            errno: EACCES
          - names: [ptrace]
            action: kill
          - names: [kexec_load]
            action: kill_process
          - names: [personality]
            action: log
          - names: [fstat]
            action: trace
            errno: 5
          - names: [connect]
            action: notify
          - names: [lstat]
            action: trap
        """;

    [Fact]
    public void Export_WritesOciNamesAndErrnoRet()
    {
        var json = OciSeccompConverter.Export(SeccompProfileLoader.Parse(Yaml));
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("SCMP_ACT_ERRNO", root.GetProperty("defaultAction").GetString());
        Assert.Equal(1, root.GetProperty("defaultErrnoRet").GetInt32());
        Assert.Equal(["SCMP_ARCH_X86_64"], root.GetProperty("architectures").EnumerateArray().Select(a => a.GetString()!));
        var sys = root.GetProperty("syscalls").EnumerateArray().ToList();
        Assert.Equal(["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRAP"],
            sys.Select(s => s.GetProperty("action").GetString()!));
        Assert.Equal(13, sys[1].GetProperty("errnoRet").GetInt32());
        Assert.False(sys[0].TryGetProperty("errnoRet", out _));
        Assert.Equal(["read", "write", "exit_group"], sys[0].GetProperty("names").EnumerateArray().Select(a => a.GetString()!));
    }

    [Fact]
    public void ExportThenImport_RoundTripsTheProfile()
    {
        var p = SeccompProfileLoader.Parse(Yaml);
        var back = OciSeccompConverter.Import(OciSeccompConverter.Export(p)).Profile;
        Assert.Equal(p.DefaultAction, back.DefaultAction);
        Assert.Equal(p.DefaultErrno, back.DefaultErrno);
        Assert.Equal(Shape(p), Shape(back));

        // and through the YAML writer: JSON -> YAML -> profile is the same again
        var viaYaml = SeccompProfileLoader.Parse(SeccompProfileWriter.ToYaml(back));
        Assert.Equal(Shape(p), Shape(viaYaml));
    }

    [Fact]
    public void Import_DockerStyleEntries_StrictFailsListingEveryProblem()
    {
        const string json = """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "defaultErrnoRet": 1,
              "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
              "syscalls": [
                {"names": ["read", "arm_fadvise64_64"], "action": "SCMP_ACT_ALLOW"},
                {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
                {"names": ["bpf"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
              ]
            }
            """;
        var e = Assert.Throws<SeccompProfileException>(() => OciSeccompConverter.Import(json, "docker.json"));
        var all = string.Join("\n", e.Errors);
        Assert.Contains("SCMP_ARCH_X86'", all, StringComparison.Ordinal);
        Assert.Contains("SCMP_ARCH_X32", all, StringComparison.Ordinal);
        Assert.Contains("arm_fadvise64_64", all, StringComparison.Ordinal);
        Assert.Contains("syscalls[1]: argument conditions", all, StringComparison.Ordinal);
        Assert.Contains("syscalls[2]: includes/excludes", all, StringComparison.Ordinal);
        Assert.Contains("'read' already listed in syscalls[0]", all, StringComparison.Ordinal);

        var lenient = OciSeccompConverter.Import(json, "docker.json", lenient: true);
        Assert.Equal(6, lenient.Warnings.Count);
        var rule = Assert.Single(lenient.Profile.Syscalls);
        Assert.Equal(["read"], rule.Names);
        Assert.Equal(SeccompAction.Allow, rule.Action);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("{\"defaultAction\": \"SCMP_ACT_NOPE\"}")]
    [InlineData("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}")]
    [InlineData("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ALLOW\"}]}")]
    [InlineData("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 99999}")]
    [InlineData("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"bogus\": 1}")]
    public void Import_Malformed_ThrowsProfileException(string json)
    {
        Assert.Throws<SeccompProfileException>(() => OciSeccompConverter.Import(json, "m.json"));
    }

    [Fact]
    public void Commands_ExportAndImport_RoundTripThroughFiles()
    {
        var dir = Directory.CreateTempSubdirectory("harrier-seccomp-");
        try
        {
            var yamlPath = Path.Combine(dir.FullName, "p.yaml");
            File.WriteAllText(yamlPath, Yaml);
            var o = new StringWriter();
            var err = new StringWriter();
            Assert.Equal(0, SeccompCommands.Run(["export", yamlPath], o, err));
            var jsonPath = Path.Combine(dir.FullName, "p.json");
            File.WriteAllText(jsonPath, o.ToString());

            var o2 = new StringWriter();
            Assert.Equal(0, SeccompCommands.Run(["import", jsonPath], o2, err));
            Assert.Equal(Shape(SeccompProfileLoader.Parse(Yaml)), Shape(SeccompProfileLoader.Parse(o2.ToString())));
            Assert.Equal(string.Empty, err.ToString());

            var o3 = new StringWriter();
            Assert.Equal(0, SeccompCommands.Run(["check", yamlPath], o3, err));
            Assert.Contains("uses notify", o3.ToString(), StringComparison.Ordinal);

            var err4 = new StringWriter();
            Assert.Equal(1, SeccompCommands.Run(["export", Path.Combine(dir.FullName, "missing.yaml")], new StringWriter(), err4));
            Assert.Contains("not found", err4.ToString(), StringComparison.Ordinal);
            Assert.Equal(2, SeccompCommands.Run(["frob", yamlPath], new StringWriter(), new StringWriter()));
            Assert.Equal(2, SeccompCommands.Run([], new StringWriter(), new StringWriter()));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static List<string> Shape(SeccompProfile p) =>
        p.Syscalls.Select(r => $"{string.Join(",", r.Names)}:{r.Action}:{r.Errno}").ToList();
}
