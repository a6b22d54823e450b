using System.Diagnostics;
using System.Text.Json;
using Harrier.Engine.Enforcement;

namespace Harrier.Kernel.Tests.Lsm;

/// <summary>
/// Reads the BTF of the embedded BPF LSM object (bpftool -j btf dump) and checks the layouts the C# side writes
/// and reads by offset: policy keys/values (PolicyCompiler, LsmEnforcer) and struct dec_record (LsmDecision).
/// Needs bpftool (scripts/deps.sh and scripts/vm-test.sh install it); no root.
/// </summary>
public sealed class LsmAbiTests
{
    private static readonly Lazy<JsonElement> Btf = new(Load);

    private static JsonElement Load()
    {
        string obj = Path.Combine(Path.GetTempPath(), $"harrier-lsm-{Environment.ProcessId}.bpf.o");
        using (var s = typeof(LsmEnforcer).Assembly.GetManifestResourceStream("lsm-hooks/harrier_lsm.bpf.o")!)
        using (var f = File.Create(obj))
        {
            s.CopyTo(f);
        }
        try
        {
            string bpftool = new[] { "/usr/sbin/bpftool", "/sbin/bpftool", "/usr/bin/bpftool" }.First(File.Exists);
            var psi = new ProcessStartInfo(bpftool, ["-j", "btf", "dump", "file", obj]) { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            string json = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return JsonDocument.Parse(json).RootElement.GetProperty("types").Clone();
        }
        finally
        {
            File.Delete(obj);
        }
    }

    private static JsonElement Struct(string name) =>
        Btf.Value.EnumerateArray().First(t => t.GetProperty("kind").GetString() == "STRUCT" && t.GetProperty("name").GetString() == name);

    private static int Offset(JsonElement type, string member) =>
        type.GetProperty("members").EnumerateArray().First(m => m.GetProperty("name").GetString() == member).GetProperty("bits_offset").GetInt32() / 8;

    [Theory]
    [InlineData("inode_key", 16)]
    [InlineData("net_key", 24)]
    [InlineData("policy_entry", PolicyEntry.ValueSize)]
    [InlineData("lsm_config", 24)]
    [InlineData("protected_id_key", 8)]
    [InlineData("dec_record", LsmDecision.RecordSize)]
    public void Struct_Size_MatchesCSharp(string name, int size)
    {
        Assert.Equal(size, Struct(name).GetProperty("size").GetInt32());
    }

    [Fact]
    public void PolicyKeys_SizesMatchTables()
    {
        Assert.Equal(PolicyEntry.KeySize(PolicyTable.Inode), Struct("inode_key").GetProperty("size").GetInt32());
        Assert.Equal(PolicyEntry.KeySize(PolicyTable.Net), Struct("net_key").GetProperty("size").GetInt32());
        var net = Struct("net_key");
        Assert.Equal(4, Offset(net, "family"));
        Assert.Equal(5, Offset(net, "port"));
        Assert.Equal(7, Offset(net, "addr"));
        var entry = Struct("policy_entry");
        Assert.Equal(4, Offset(entry, "ops"));
        Assert.Equal(6, Offset(entry, "action"));
        Assert.Equal(7, Offset(entry, "flags"));
        var cfg = Struct("lsm_config");
        Assert.Equal(4, Offset(cfg, "protect_tgid"));
        Assert.Equal(8, Offset(cfg, "exe_ino"));
        Assert.Equal(16, Offset(cfg, "exe_dev"));
    }

    [Theory]
    [InlineData("hdr", 0)]
    [InlineData("task", 24)]
    [InlineData("rule_id", 72)]
    [InlineData("hook", 76)]
    [InlineData("action", 78)]
    [InlineData("match", 79)]
    [InlineData("ret", 80)]
    [InlineData("target", 84)]
    [InlineData("ino", 88)]
    [InlineData("dev", 96)]
    [InlineData("aux", 100)]
    [InlineData("addr", 104)]
    [InlineData("subject_len", 128)]
    [InlineData("abi_version", 130)]
    [InlineData("subject", 136)]
    public void DecRecord_FieldOffsets_MatchDecoder(string member, int offset)
    {
        Assert.Equal(offset, Offset(Struct("dec_record"), member));
    }

    [Fact]
    public void EvtTaskAndSockaddr_OffsetsTheDecoderUses()
    {
        var task = Struct("evt_task");
        Assert.Equal(56 - 24, Offset(task, "comm"));
        Assert.Equal(40 - 24, Offset(task, "cgroup_id"));
        var sa = Struct("evt_sockaddr");
        Assert.Equal(2, Offset(sa, "port"));
        Assert.Equal(8, Offset(sa, "addr"));
    }
}
