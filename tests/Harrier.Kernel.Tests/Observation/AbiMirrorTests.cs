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
/// offsets, and the op enum, against the C# mirrors: any drift between events.h and Abi/ fails here. Both embedded
/// objects are checked: the fast one and the compat one for kernels without bpf_rdonly_cast (same ABI by contract).
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

    private static readonly string[] Objects = [AbiConstants.ObjectResource, ProbeLoader.CompatObjectResource];

    private static readonly (string CName, Type Mirror)[] Structs =
    [
        ("evt_hdr", typeof(EvtHdr)),
        ("evt_task", typeof(EvtTask)),
        ("evt_sockaddr", typeof(EvtSockaddr)),
        ("evt_net_info", typeof(EvtNetInfo)),
        ("evt_record", typeof(EvtRecord)),
        ("harrier_config", typeof(ProbeConfig)),
    ];

    public static TheoryData<string, string, Type> Mirrors
    {
        get
        {
            var data = new TheoryData<string, string, Type>();
            foreach (string obj in Objects)
            {
                foreach (var (cName, mirror) in Structs)
                {
                    data.Add(obj, cName, mirror);
                }
            }

            return data;
        }
    }

    public static TheoryData<string> ObjectResources => new(Objects);

    [Theory]
    [MemberData(nameof(Mirrors))]
    public void Mirror_MatchesBtf_SizeAndEveryFieldOffset(string resource, string cName, Type mirror)
    {
        var btf = LoadBtf(resource);
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

    [Theory]
    [MemberData(nameof(ObjectResources))]
    public void RecordSize_MatchesConstant(string resource)
    {
        var type = FindType(LoadBtf(resource), "STRUCT", "evt_record");
        Assert.Equal(AbiConstants.RecordSize, type.GetProperty("size").GetInt32());
    }

    [Theory]
    [MemberData(nameof(ObjectResources))]
    public void OpEnum_MatchesEventTypeValues(string resource)
    {
        var e = FindType(LoadBtf(resource), "ENUM", "evt_op");
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

    [Fact]
    public void CompatObject_DoesNotReferenceRdonlyCast_FastObjectDoes()
    {
        static bool HasRdonlyCast(JsonElement btf) =>
            btf.GetProperty("types").EnumerateArray().Any(t => t.GetProperty("kind").GetString() == "FUNC"
                && t.TryGetProperty("name", out var n) && n.GetString() == "bpf_rdonly_cast");

        Assert.True(HasRdonlyCast(LoadBtf(AbiConstants.ObjectResource)), "the fast object no longer uses bpf_rdonly_cast: the compat object is redundant");
        Assert.False(HasRdonlyCast(LoadBtf(ProbeLoader.CompatObjectResource)), "the compat object references bpf_rdonly_cast: it cannot load on Linux 6.1");
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    private static JsonElement FindType(JsonElement btf, string kind, string name) =>
        btf.GetProperty("types").EnumerateArray().First(t => t.GetProperty("kind").GetString() == kind && t.TryGetProperty("name", out var n) && n.GetString() == name);

    private static JsonElement LoadBtf(string resource)
    {
        byte[] obj = ProbeLoader.ReadEmbeddedObject(resource) ?? throw new InvalidOperationException($"the engine was built without {resource} (make -C probes)");
        string path = Path.Combine(Path.GetTempPath(), $"harrier-abi-{Environment.ProcessId}-{Path.GetFileName(resource)}");
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
