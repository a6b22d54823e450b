using System.Text.Json;
using Harrier.Events;
using Harrier.Outputs.Formatting;

namespace Harrier.Outputs.Tests.Formatting;

/// <summary>
/// Every document Harrier writes carries the fields its schema requires, with the JSON type the schema gives them,
/// whatever the alert: a rule alert with process context, an internal alert without any, an alert without fields or tags.
/// OCSF 1.3 Detection Finding (class 2004): the class's required attributes and the required attributes of the objects
/// it contains (metadata, metadata.product, finding_info). ECS 8.11: the core required fields plus the fields the issue names.
/// </summary>
public sealed class SchemaRequiredFieldsTests
{
    // (dotted path, expected kind). OCSF: class required set + required members of required objects.
    private static readonly (string Path, JsonValueKind Kind)[] s_ocsfRequired =
    [
        ("activity_id", JsonValueKind.Number),
        ("category_uid", JsonValueKind.Number),
        ("class_uid", JsonValueKind.Number),
        ("type_uid", JsonValueKind.Number),
        ("time", JsonValueKind.Number),
        ("severity_id", JsonValueKind.Number),
        ("metadata", JsonValueKind.Object),
        ("metadata.version", JsonValueKind.String),
        ("metadata.product", JsonValueKind.Object),
        ("metadata.product.name", JsonValueKind.String),
        ("metadata.product.vendor_name", JsonValueKind.String),
        ("finding_info", JsonValueKind.Object),
        ("finding_info.uid", JsonValueKind.String),
        ("finding_info.title", JsonValueKind.String),
    ];

    private static readonly (string Path, JsonValueKind Kind)[] s_ecsRequired =
    [
        ("@timestamp", JsonValueKind.String),
        ("ecs.version", JsonValueKind.String),
        ("event.kind", JsonValueKind.String),
        ("event.severity", JsonValueKind.Number),
        ("event.id", JsonValueKind.String),
        ("rule.name", JsonValueKind.String),
        ("host.name", JsonValueKind.String),
        ("message", JsonValueKind.String),
        ("tags", JsonValueKind.Array),
    ];

    // Fields that, when present, must have the ECS type (long/keyword/ip...).
    private static readonly (string Path, JsonValueKind Kind)[] s_ecsTypedIfPresent =
    [
        ("process.pid", JsonValueKind.Number),
        ("process.parent.pid", JsonValueKind.Number),
        ("process.name", JsonValueKind.String),
        ("process.executable", JsonValueKind.String),
        ("user.id", JsonValueKind.String),
        ("user.name", JsonValueKind.String),
        ("file.path", JsonValueKind.String),
        ("destination.ip", JsonValueKind.String),
        ("destination.port", JsonValueKind.Number),
        ("container.id", JsonValueKind.String),
    ];

    public static TheoryData<string> Shapes() => ["rule", "internal", "bare"];

    private static Alert Shape(string shape) => shape switch
    {
        "rule" => TestAlerts.Make(1),
        "internal" => InternalAlerts.SinkDown("kafka", "all brokers down", hostname: "h1"),
        _ => new Alert
        {
            Uuid = TestAlerts.UuidFor(9),
            TimeNs = TestAlerts.BaseTimeNs,
            Rule = "r",
            Priority = Priority.Debug,
            Hostname = "h",
            Output = "o",
        },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ToText_Ocsf_CarriesDetectionFindingRequiredAttributes(string shape)
    {
        Alert a = Shape(shape);
        using JsonDocument doc = JsonDocument.Parse(AlertFormatter.ToText(a, AlertFormat.Ocsf));
        JsonElement r = doc.RootElement;
        AssertRequired(r, s_ocsfRequired);
        Assert.Equal(2004, r.GetProperty("class_uid").GetInt32());
        Assert.Equal(2, r.GetProperty("category_uid").GetInt32());
        Assert.Equal((2004 * 100) + r.GetProperty("activity_id").GetInt32(), r.GetProperty("type_uid").GetInt32());
        Assert.InRange(r.GetProperty("severity_id").GetInt32(), 1, 6);
        Assert.Equal(a.Uuid.ToString("D"), Get(r, "finding_info.uid").GetString());
        Assert.Equal(AlertTime.ToUnixMilliseconds(a.TimeNs), r.GetProperty("time").GetInt64());

        // metadata.version is the OCSF schema version (semver), not Harrier's.
        Assert.Matches(@"^\d+\.\d+\.\d+$", Get(r, "metadata.version").GetString()!);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ToText_Ecs_CarriesRequiredFieldsWithEcsTypes(string shape)
    {
        Alert a = Shape(shape);
        using JsonDocument doc = JsonDocument.Parse(AlertFormatter.ToText(a, AlertFormat.Ecs));
        JsonElement r = doc.RootElement;
        AssertRequired(r, s_ecsRequired);
        foreach ((string path, JsonValueKind kind) in s_ecsTypedIfPresent)
        {
            if (TryGet(r, path, out JsonElement v))
            {
                Assert.True(v.ValueKind == kind, $"{shape}: {path} is {v.ValueKind}, ECS wants {kind}");
            }
        }

        Assert.Equal("alert", Get(r, "event.kind").GetString());
        Assert.True(DateTimeOffset.TryParse(Get(r, "@timestamp").GetString(), out DateTimeOffset ts), "@timestamp parses");
        Assert.Equal(AlertTime.ToUnixMilliseconds(a.TimeNs), ts.ToUnixTimeMilliseconds());
        Assert.All(r.GetProperty("tags").EnumerateArray(), t => Assert.Equal(JsonValueKind.String, t.ValueKind));

        // ECS field names never contain dots inside one key: nesting carries the path (flat keys are a separate option).
        AssertNoDottedKeys(r, "$", allowUnder: "harrier.output_fields");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ToText_Falco_CarriesEveryFalcoKeyWithFalcoTypes(string shape)
    {
        Alert a = Shape(shape);
        using JsonDocument doc = JsonDocument.Parse(AlertFormatter.ToText(a, AlertFormat.Falco));
        JsonElement r = doc.RootElement;
        AssertRequired(r,
        [
            ("time", JsonValueKind.String), ("rule", JsonValueKind.String), ("priority", JsonValueKind.String),
            ("source", JsonValueKind.String), ("hostname", JsonValueKind.String), ("output", JsonValueKind.String),
            ("output_fields", JsonValueKind.Object), ("tags", JsonValueKind.Array), ("uuid", JsonValueKind.String),
            ("action", JsonValueKind.String), ("enforced", JsonValueKind.String), ("event_id", JsonValueKind.Number),
            ("harrier_version", JsonValueKind.String),
        ]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$", r.GetProperty("time").GetString()!);
        Assert.Contains(r.GetProperty("priority").GetString(), new[] { "Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug" });
        Assert.Contains(r.GetProperty("action").GetString(), new[] { "alert", "deny", "kill" });
        Assert.Equal(a.OutputFields.Count, r.GetProperty("output_fields").EnumerateObject().Count());
    }

    private static void AssertRequired(JsonElement root, IEnumerable<(string Path, JsonValueKind Kind)> required)
    {
        foreach ((string path, JsonValueKind kind) in required)
        {
            Assert.True(TryGet(root, path, out JsonElement v), $"required '{path}' missing");
            Assert.True(v.ValueKind == kind, $"'{path}' is {v.ValueKind}, schema wants {kind}");
            if (kind == JsonValueKind.String)
            {
                Assert.False(string.IsNullOrEmpty(v.GetString()), $"required '{path}' is empty");
            }
        }
    }

    private static void AssertNoDottedKeys(JsonElement e, string at, string allowUnder)
    {
        if (e.ValueKind != JsonValueKind.Object || at == "$." + allowUnder)
        {
            return;
        }

        foreach (JsonProperty p in e.EnumerateObject())
        {
            Assert.False(p.Name.Contains('.', StringComparison.Ordinal), $"dotted key '{p.Name}' at {at}");
            AssertNoDottedKeys(p.Value, at == "$" ? "$." + p.Name : at + "." + p.Name, allowUnder);
        }
    }

    private static JsonElement Get(JsonElement root, string path)
    {
        Assert.True(TryGet(root, path, out JsonElement v), path);
        return v;
    }

    private static bool TryGet(JsonElement root, string path, out JsonElement value)
    {
        value = root;
        foreach (string part in path.Split('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value))
            {
                return false;
            }
        }

        return true;
    }
}
