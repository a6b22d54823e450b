using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Harrier.Engine.Abi;
using Harrier.Engine.Loading;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Observation;

/// <summary>
/// Reads the BTF of the built probe object (bpftool -j btf dump) and checks every ABI struct's size and field
/// offsets, and the op enum, against the C# mirrors: any drift between events.h and Abi/ fails here.
/// Needs bpftool (scripts/deps.sh installs it) and the embedded object; no root.
/// </summary>
public sealed class AbiMirrorTests
{
    private static readonly Dictionary<string, string> NameOverrides = new()
    {
        ["(anon)"] = "Aux",
        ["ktime"] = "KTime",
        ["loginuid"] = "LoginUid",
    };

    public static TheoryData<string, Type> Mirrors => new()
    {
        { "evt_hdr", typeof(EvtHdr) },
        { "evt_task", typeof(EvtTask) },
        { "evt_sockaddr", typeof(EvtSockaddr) },
        { "evt_net_info", typeof(EvtNetInfo) },
        { "evt_record", typeof(EvtRecord) },
        { "harrier_config", typeof(ProbeConfig) },
    };

    [Theory]
    [MemberData(nameof(Mirrors))]
    public void Mirror_MatchesBtf_SizeAndEveryFieldOffset(string cName, Type mirror)
    {
        var btf = LoadBtf();
        var type = FindType(btf, "STRUCT", cName);
        Assert.Equal(type.GetProperty("size").GetInt32(), Marshal.SizeOf(mirror));

        var fields = mirror.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        var members = type.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(members.Count, fields.Length);
        foreach (var m in members)
        {
            string name = m.GetProperty("name").GetString()!;
            string csName = NameOverrides.TryGetValue(name, out var o) ? o : Pascal(name);
            var field = fields.SingleOrDefault(f => f.Name == csName);
            Assert.True(field is not null, $"{cName}.{name}: no field {csName} in {mirror.Name}");
            int bits = m.GetProperty("bits_offset").GetInt32();
            Assert.Equal(bits / 8, (int)Marshal.OffsetOf(mirror, csName));
        }
    }

    [Fact]
    public void RecordSize_MatchesConstant()
    {
        var type = FindType(LoadBtf(), "STRUCT", "evt_record");
        Assert.Equal(AbiConstants.RecordSize, type.GetProperty("size").GetInt32());
    }

    [Fact]
    public void OpEnum_MatchesEventTypeValues()
    {
        var e = FindType(LoadBtf(), "ENUM", "evt_op");
        var values = e.GetProperty("values").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("val").GetInt32());
        foreach (var t in Enum.GetValues<EventType>())
        {
            string cName = "EVT_" + t switch
            {
                EventType.None => "NONE",
                EventType.ProcExit => "PROC_EXIT",
                _ => EventTypes.Name(t).ToUpperInvariant(),
            };
            Assert.True(values.ContainsKey(cName), $"{cName} missing from enum evt_op");
            Assert.Equal((int)t, values[cName]);
        }
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    private static JsonElement FindType(JsonElement btf, string kind, string name) =>
        btf.GetProperty("types").EnumerateArray().First(t => t.GetProperty("kind").GetString() == kind && t.TryGetProperty("name", out var n) && n.GetString() == name);

    private static JsonElement LoadBtf()
    {
        byte[] obj = ProbeLoader.ReadEmbeddedObject() ?? throw new InvalidOperationException("the engine was built without probes/.output/harrier.bpf.o");
        string path = Path.Combine(Path.GetTempPath(), $"harrier-abi-{Environment.ProcessId}.bpf.o");
        File.WriteAllBytes(path, obj);
        try
        {
            string bpftool = File.Exists("/usr/sbin/bpftool") ? "/usr/sbin/bpftool" : "bpftool";
            var psi = new ProcessStartInfo(bpftool, ["-j", "btf", "dump", "file", path, "format", "raw"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string json = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "bpftool btf dump failed: " + p.StandardError.ReadToEnd());
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
