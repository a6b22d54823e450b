using System.Text.Json;
using Harrier.Events;
using Harrier.Outputs.Formatting;

namespace Harrier.Outputs.Tests.Formatting;

public sealed class AlertFormatterTests
{
    private const string Uuid1 = "00000001-0000-4861-7272-696572000001";

    [Fact]
    public void ToText_Falco_MatchesSnapshot()
    {
        string json = AlertFormatter.ToText(TestAlerts.Make(1), AlertFormat.Falco);
        const string Expected =
            "{\"uuid\":\"" + Uuid1 + "\","
            + "\"output\":\"Sensitive file opened for reading by non-trusted program (file=/etc/shadow process=cat seq=1)\","
            + "\"priority\":\"Warning\",\"rule\":\"Read sensitive file untrusted\","
            + "\"time\":\"2026-11-25T08:00:00.123456790Z\","
            + "\"output_fields\":{\"fd.name\":\"/etc/shadow\",\"proc.name\":\"cat\",\"proc.pid\":4242,\"seq\":1,\"user.uid\":0,\"proc.is_exe_upper_layer\":false,\"container.image.repository\":null},"
            + "\"source\":\"syscall\",\"tags\":[\"filesystem\",\"mitre_credential_access\"],\"hostname\":\"host-a\","
            + "\"action\":\"deny\",\"enforced\":\"denied\",\"event_id\":1001,\"harrier_version\":\"" + "0.1.0" + "\"}";
        Assert.Equal(Expected, json);
    }

    [Fact]
    public void ToText_FalcoFlatKeys_DotsAndNestingBecomeUnderscores()
    {
        using JsonDocument doc = JsonDocument.Parse(AlertFormatter.ToText(TestAlerts.Make(1), AlertFormat.Falco, flatKeys: true));
        JsonElement root = doc.RootElement;
        Assert.Equal("/etc/shadow", root.GetProperty("output_fields_fd_name").GetString());
        Assert.Equal(4242, root.GetProperty("output_fields_proc_pid").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("output_fields_container_image_repository").ValueKind);
        Assert.Equal(2, root.GetProperty("tags").GetArrayLength());
        foreach (JsonProperty p in root.EnumerateObject())
        {
            Assert.DoesNotContain('.', p.Name);
            Assert.NotEqual(JsonValueKind.Object, p.Value.ValueKind);
        }
    }

    [Fact]
    public void ToText_EcsFlatKeys_HasNoNestedObjects()
    {
        using JsonDocument doc = JsonDocument.Parse(AlertFormatter.ToText(TestAlerts.Make(1), AlertFormat.Ecs, flatKeys: true));
        Assert.Equal("alert", doc.RootElement.GetProperty("event_kind").GetString());
        Assert.Equal("cat", doc.RootElement.GetProperty("process_name").GetString());
        Assert.Equal("2026-11-25T08:00:00.123456790Z", doc.RootElement.GetProperty("@timestamp").GetString());
    }

    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00.000000000Z")]
    [InlineData(1_795_593_600_123_456_789L, "2026-11-25T08:00:00.123456789Z")]
    [InlineData(-1L, "1969-12-31T23:59:59.999999999Z")]
    [InlineData(1_700_000_000_000_000_001L, "2023-11-14T22:13:20.000000001Z")]
    public void ToRfc3339_Nanoseconds_Exact(long ns, string expected) => Assert.Equal(expected, AlertTime.ToRfc3339(ns));

    [Fact]
    public void ToText_Text_FalcoConsoleLineSnapshot()
    {
        Alert a = TestAlerts.Make(7, priority: Priority.Critical) with { Output = "Shell spawned\nin container (user=root)" };
        Assert.Equal("08:00:00.123456796: Critical Shell spawned in container (user=root)", AlertFormatter.ToText(a, AlertFormat.Text));
    }

    [Fact]
    public void ToText_Ocsf_HasEveryRequiredDetectionFindingAttribute()
    {
        Alert a = TestAlerts.Make(1, priority: Priority.Error);
        using JsonDocument doc = JsonDocument.Parse(AlertFormatter.ToText(a, AlertFormat.Ocsf));
        JsonElement r = doc.RootElement;

        // OCSF 1.3 Detection Finding (2004) required attributes and their types.
        Assert.Equal(2004, r.GetProperty("class_uid").GetInt32());
        Assert.Equal(2, r.GetProperty("category_uid").GetInt32());
        Assert.Equal(1, r.GetProperty("activity_id").GetInt32());
        Assert.Equal(200401, r.GetProperty("type_uid").GetInt32());
        Assert.Equal(r.GetProperty("class_uid").GetInt32() * 100 + r.GetProperty("activity_id").GetInt32(), r.GetProperty("type_uid").GetInt32());
        Assert.Equal(1_795_593_600_123L, r.GetProperty("time").GetInt64());
        Assert.Equal(4, r.GetProperty("severity_id").GetInt32());
        Assert.Equal("High", r.GetProperty("severity").GetString());
        JsonElement meta = r.GetProperty("metadata");
        Assert.False(string.IsNullOrEmpty(meta.GetProperty("version").GetString()));
        Assert.Equal("Harrier", meta.GetProperty("product").GetProperty("name").GetString());
        Assert.Equal(HarrierVersion.Value, meta.GetProperty("product").GetProperty("version").GetString());
        JsonElement fi = r.GetProperty("finding_info");
        Assert.Equal(Uuid1, fi.GetProperty("uid").GetString());
        Assert.Equal(a.Rule, fi.GetProperty("title").GetString());
        Assert.Equal(a.Output, fi.GetProperty("desc").GetString());

        // Recommended/optional content we map.
        Assert.Equal(2, r.GetProperty("action_id").GetInt32());
        Assert.Equal(4242, r.GetProperty("actor").GetProperty("process").GetProperty("pid").GetInt32());
        Assert.Equal("host-a", r.GetProperty("device").GetProperty("hostname").GetString());
        Assert.Equal("/etc/shadow", r.GetProperty("unmapped").GetProperty("output_fields").GetProperty("fd.name").GetString());
    }

    [Theory]
    [InlineData(Priority.Emergency, 6)]
    [InlineData(Priority.Critical, 5)]
    [InlineData(Priority.Warning, 3)]
    [InlineData(Priority.Notice, 2)]
    [InlineData(Priority.Debug, 1)]
    public void SeverityId_Priority_MapsToOcsfScale(Priority p, int expected) => Assert.Equal(expected, OcsfFormatter.SeverityId(p));

    [Fact]
    public void ToText_Ecs_HasRequiredAndMappedFields()
    {
        using JsonDocument doc = JsonDocument.Parse(AlertFormatter.ToText(TestAlerts.Make(1), AlertFormat.Ecs));
        JsonElement r = doc.RootElement;
        Assert.Equal("2026-11-25T08:00:00.123456790Z", r.GetProperty("@timestamp").GetString());
        Assert.Equal("8.11.0", r.GetProperty("ecs").GetProperty("version").GetString());
        JsonElement ev = r.GetProperty("event");
        Assert.Equal("alert", ev.GetProperty("kind").GetString());
        Assert.Equal((int)Priority.Warning, ev.GetProperty("severity").GetInt32());
        Assert.Equal(Uuid1, ev.GetProperty("id").GetString());
        Assert.Equal("Read sensitive file untrusted", r.GetProperty("rule").GetProperty("name").GetString());
        Assert.Equal("host-a", r.GetProperty("host").GetProperty("name").GetString());
        Assert.Equal(4242, r.GetProperty("process").GetProperty("pid").GetInt32());
        Assert.Equal("/usr/bin/cat", r.GetProperty("process").GetProperty("executable").GetString());
        Assert.Equal("bash", r.GetProperty("process").GetProperty("parent").GetProperty("name").GetString());
        Assert.Equal("0", r.GetProperty("user").GetProperty("id").GetString());
        Assert.Equal("root", r.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("/etc/shadow", r.GetProperty("file").GetProperty("path").GetString());
        Assert.Equal("10.0.0.7", r.GetProperty("destination").GetProperty("ip").GetString());
        Assert.Equal(443, r.GetProperty("destination").GetProperty("port").GetInt32());
        Assert.Equal("Sensitive file opened for reading by non-trusted program (file=/etc/shadow process=cat seq=1)", r.GetProperty("message").GetString());
    }

    [Fact]
    public void ToText_ContainerInPod_EcsAndOcsfCarryContainerAndPod()
    {
        Alert a = TestAlerts.Make(1) with
        {
            Process = TestAlerts.Make(1).Process! with
            {
                ContainerId = "3f4e5a6b7c8d",
                ContainerName = "api",
                ContainerImage = "docker.io/library/python",
                ContainerImageTag = "3.12",
                K8sNamespace = "payments",
                K8sPodName = "api-7d9f-x2",
                K8sPodUid = "0e1f2a3b-aaaa-bbbb-cccc-0123456789ab",
            },
        };

        using (JsonDocument ecs = JsonDocument.Parse(AlertFormatter.ToText(a, AlertFormat.Ecs)))
        {
            JsonElement c = ecs.RootElement.GetProperty("container");
            Assert.Equal("3f4e5a6b7c8d", c.GetProperty("id").GetString());
            Assert.Equal("api", c.GetProperty("name").GetString());
            Assert.Equal("docker.io/library/python", c.GetProperty("image").GetProperty("name").GetString());
            Assert.Equal("3.12", Assert.Single(c.GetProperty("image").GetProperty("tag").EnumerateArray()).GetString());
            JsonElement o = ecs.RootElement.GetProperty("orchestrator");
            Assert.Equal("kubernetes", o.GetProperty("type").GetString());
            Assert.Equal("payments", o.GetProperty("namespace").GetString());
            Assert.Equal("pod", o.GetProperty("resource").GetProperty("type").GetString());
            Assert.Equal("api-7d9f-x2", o.GetProperty("resource").GetProperty("name").GetString());
        }

        using JsonDocument ocsf = JsonDocument.Parse(AlertFormatter.ToText(a, AlertFormat.Ocsf));
        JsonElement oc = ocsf.RootElement.GetProperty("actor").GetProperty("process").GetProperty("container");
        Assert.Equal("3f4e5a6b7c8d", oc.GetProperty("uid").GetString());
        Assert.Equal("api", oc.GetProperty("name").GetString());
        Assert.Equal("docker.io/library/python", oc.GetProperty("image").GetProperty("name").GetString());
        Assert.Equal("3.12", oc.GetProperty("image").GetProperty("tag").GetString());
        Assert.Equal("kubernetes", oc.GetProperty("orchestrator").GetString());
        Assert.Equal("0e1f2a3b-aaaa-bbbb-cccc-0123456789ab", oc.GetProperty("pod_uuid").GetString());
    }

    [Fact]
    public void ToText_HostileStrings_StayValidJson()
    {
        Alert a = TestAlerts.Make(1) with
        {
            Output = "quote\" backslash\\ nul\0 ctl\u0001 <tag> & 'x' é 漢",
            OutputFields = [new("proc.cmdline", "a\"b\nc"), new("weird.key\"", 1L), new("big", ulong.MaxValue)],
        };
        foreach ((AlertFormat f, string key) in new[] { (AlertFormat.Falco, "output"), (AlertFormat.Ocsf, "message"), (AlertFormat.Ecs, "message") })
        {
            using JsonDocument doc = JsonDocument.Parse(AlertFormatter.ToText(a, f));
            Assert.Equal(a.Output, doc.RootElement.GetProperty(key).GetString());
        }

        using JsonDocument falco = JsonDocument.Parse(AlertFormatter.ToText(a, AlertFormat.Falco));
        Assert.Equal(ulong.MaxValue, falco.RootElement.GetProperty("output_fields").GetProperty("big").GetUInt64());
        Assert.Equal(a.Output, falco.RootElement.GetProperty("output").GetString());
    }
}
