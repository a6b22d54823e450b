using System.Text.Json;
using Harrier.Engine.Bench;

namespace Harrier.Engine.Tests.Bench;

/// <summary>The JSON contract of <c>harrier bench enforce --json</c>: key names, nulls for unmeasured paths, target flags.</summary>
public sealed class EnforceBenchReportTests
{
    private static readonly EnforceBenchComparison Cgroup = EnforceBenchComparison.From([600, 610, 590], [680, 700, 690]);

    private static JsonElement Render(EnforceBenchLsm.Result lsm, EnforceBenchKill.Result kill)
    {
        var report = EnforceBench.Report(
            new EnforceBenchCgroup.Result(Cgroup, EnforceBenchComparison.From([11000], [11200]), true, null) { NullProgram = EnforceBenchComparison.From([600], [650]) },
            new EnforceBenchSeccomp.Result(EnforceBenchComparison.From([1000, 1000], [1020, 1030]), EnforceBenchComparison.From([1000], [1010]), "baseline.yaml", null),
            lsm,
            kill,
            seconds: 4,
            loadBefore: "1.00 1.00 1.00",
            loadAfter: "1.10 1.00 1.00");
        return JsonDocument.Parse(JsonSerializer.Serialize(report)).RootElement;
    }

    [Fact]
    public void Report_LsmUnavailable_NullValuesWithReasonAndContractKeys()
    {
        var kill = new EnforceBenchKill.Result([1.0, 2.0, 3.0, 50.0], 4, 4, 4, 0, 12, null);
        var json = Render(new EnforceBenchLsm.Result(null, null, null, "EPERM: BPF LSM refused", null), kill);

        foreach (var key in new[] { "cgroup_connect_ns_added", "seccomp_ns_per_syscall_added", "lsm_open_ns_added", "lsm_exec_ns_added", "lsm_connect_ns_added", "kill_latency_p50_ms", "kill_latency_p99_ms" })
        {
            Assert.True(json.TryGetProperty(key, out _), key);
        }

        Assert.Equal(JsonValueKind.Null, json.GetProperty("lsm_open_ns_added").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("lsm_exec_ns_added").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("lsm_connect_ns_added").ValueKind);
        Assert.Equal("EPERM: BPF LSM refused", json.GetProperty("lsm_unavailable").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("lsm_target_met").ValueKind);

        Assert.Equal(90.0, json.GetProperty("cgroup_connect_ns_added").GetDouble());
        Assert.Equal(690.0, json.GetProperty("cgroup_connect_ns_per_op_with").GetDouble());
        Assert.Equal(600.0, json.GetProperty("cgroup_connect_ns_per_op_without").GetDouble());
        Assert.True(json.GetProperty("cgroup_target_met").GetBoolean());
        Assert.Equal(50.0, json.GetProperty("cgroup_null_program_ns_added").GetDouble());
        Assert.Equal(25.0, json.GetProperty("seccomp_ns_per_syscall_added").GetDouble());
        Assert.Equal(1025.0, json.GetProperty("seccomp_ns_per_syscall_with").GetDouble());
        Assert.Equal(1000.0, json.GetProperty("seccomp_ns_per_syscall_without").GetDouble());
        Assert.Equal("baseline.yaml", json.GetProperty("seccomp_profile").GetString());

        // nearest rank over 4 samples: p50 = 2nd smallest, p99 = the maximum, which misses the 10 ms target
        Assert.Equal(2.0, json.GetProperty("kill_latency_p50_ms").GetDouble());
        Assert.Equal(50.0, json.GetProperty("kill_latency_p99_ms").GetDouble());
        Assert.False(json.GetProperty("kill_target_met").GetBoolean());
        Assert.False(json.TryGetProperty("kill_error", out _));
    }

    [Fact]
    public void Report_LsmMeasuredAndKillSurvivor_NoUnavailableKeyAndTargetMissed()
    {
        var lsm = new EnforceBenchLsm.Result(Cgroup, EnforceBenchComparison.From([500_000], [500_400]), Cgroup, null, null);
        var kill = new EnforceBenchKill.Result([1.0, 1.5], 3, 2, 2, 0, 9, null);
        var json = Render(lsm, kill);

        Assert.False(json.TryGetProperty("lsm_unavailable", out _));
        Assert.Equal(90.0, json.GetProperty("lsm_open_ns_added").GetDouble());
        Assert.Equal(400.0, json.GetProperty("lsm_exec_ns_added").GetDouble());
        Assert.True(json.GetProperty("lsm_target_met").GetBoolean());
        Assert.Equal(3, json.GetProperty("kill_victims").GetInt32());
        Assert.Equal(2, json.GetProperty("kill_victims_killed").GetInt32());
        Assert.False(json.GetProperty("kill_target_met").GetBoolean()); // p99 is fine, but a victim survived
    }

    [Fact]
    public void Report_KillNotMeasured_NullLatenciesAndErrorKey()
    {
        var json = Render(new EnforceBenchLsm.Result(null, null, null, "no", null), new EnforceBenchKill.Result([], 0, 0, 0, 0, 0, "probes failed"));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("kill_latency_p50_ms").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("kill_latency_p99_ms").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("kill_target_met").ValueKind);
        Assert.Equal("probes failed", json.GetProperty("kill_error").GetString());
    }
}
