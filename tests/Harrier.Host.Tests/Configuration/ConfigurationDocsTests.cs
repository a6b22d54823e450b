using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Loading;
using Harrier.Engine.Verdicts;
using Harrier.Host.Metrics;
using Harrier.Host.Service;

namespace Harrier.Host.Tests.Configuration;

/// <summary>
/// docs/configuration.md against the shipped appsettings.json and the options records: every key is documented, and
/// a documented default equals the shipped value, so the page cannot drift from what Harrier reads.
/// </summary>
public sealed partial class ConfigurationDocsTests
{
    private static readonly string Docs = File.ReadAllText(Path.Combine(RepoFiles.Root, "docs", "configuration.md"));

    /// <summary>Key → Default cell of every key table row (<c>| `Key` | Default | Meaning |</c>).</summary>
    private static Dictionary<string, string> DocumentedRows()
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in KeyRow().Matches(Docs))
        {
            rows[m.Groups["key"].Value] = m.Groups["default"].Value.Trim();
        }

        return rows;
    }

    /// <summary>Every leaf of the shipped file as (Section:Key, value text); array elements are indexed (<c>:0</c>).</summary>
    private static List<(string Key, string? Value, bool InArray)> ShippedLeaves()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoFiles.AppSettings), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var leaves = new List<(string, string?, bool)>();
        Walk(doc.RootElement, string.Empty, inArray: false, leaves);
        return leaves;

        static void Walk(JsonElement e, string prefix, bool inArray, List<(string, string?, bool)> into)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        Walk(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}:{p.Name}", inArray, into);
                    }

                    break;
                case JsonValueKind.Array:
                    int i = 0;
                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item, $"{prefix}:{i++}", inArray: true, into);
                    }

                    break;
                case JsonValueKind.String:
                    into.Add((prefix, e.GetString(), inArray));
                    break;
                default:
                    into.Add((prefix, e.GetRawText(), inArray));
                    break;
            }
        }
    }

    /// <summary>The documented row for a shipped key: exact, with list indexes written as N, or the list itself.</summary>
    private static string? RowFor(string key, Dictionary<string, string> rows)
    {
        foreach (string candidate in new[] { key, Index().Replace(key, ":N") })
        {
            if (rows.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        // A list of scalars documented as one key (Rules:Paths).
        string list = TrailingIndex().Replace(key, string.Empty);
        return list != key && rows.ContainsKey(list) ? list : null;
    }

    [Fact]
    public void Docs_EveryShippedKey_HasARow()
    {
        var rows = DocumentedRows();
        var missing = ShippedLeaves().Where(l => RowFor(l.Key, rows) is null).Select(l => l.Key).ToList();

        Assert.True(missing.Count == 0, "keys of appsettings.json without a row in docs/configuration.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Docs_DocumentedDefaults_EqualTheShippedValues()
    {
        var rows = DocumentedRows();
        var wrong = new List<string>();
        foreach (var (key, value, inArray) in ShippedLeaves())
        {
            string? row = RowFor(key, rows);
            if (row is null || value is null)
            {
                continue;
            }

            string cell = rows[row];
            // A scalar's default cell starts with the value in backticks; a list's cell shows the elements quoted.
            bool listRow = inArray && TrailingIndex().IsMatch(key) && row == TrailingIndex().Replace(key, string.Empty);
            bool ok = !listRow
                ? cell.StartsWith($"`{value}`", StringComparison.Ordinal)
                : cell.Contains($"\"{value}\"", StringComparison.Ordinal);
            if (!ok)
            {
                wrong.Add($"{key}: shipped {value}, documented {cell}");
            }
        }

        Assert.True(wrong.Count == 0, "docs/configuration.md defaults differ from appsettings.json:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void Docs_EveryOptionsProperty_IsNamed()
    {
        var sections = new (string Name, Type Type)[]
        {
            ("Probes", typeof(ProbeOptions)),
            (EnrichmentOptions.SectionName, typeof(EnrichmentOptions)),
            (RulesOptions.SectionName, typeof(RulesOptions)),
            (EnforcementOptions.SectionName, typeof(EnforcementOptions)),
            (MetricsOptions.SectionName, typeof(MetricsOptions)),
            (DropAlertOptions.SectionName, typeof(DropAlertOptions)),
        };
        var keys = new List<string>();
        foreach (var (name, type) in sections)
        {
            Collect(name, type, keys, depth: 0);
        }

        var missing = keys.Where(k => !Docs.Contains($"`{k}`", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "options keys not named in docs/configuration.md: " + string.Join(", ", missing));

        static void Collect(string prefix, Type type, List<string> into, int depth)
        {
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null))
            {
                var t = p.PropertyType;
                bool nested = t.IsClass && t != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(t);
                if (nested && depth < 4)
                {
                    Collect($"{prefix}:{p.Name}", t, into, depth + 1);
                }
                else
                {
                    into.Add($"{prefix}:{p.Name}");
                }
            }
        }
    }

    [Fact]
    public void Docs_SectionsInTheValidationExample_AreTheKnownOnes()
    {
        var known = EngineSettingsLoader.Schema.Sections.Order(StringComparer.Ordinal);
        var m = KnownSections().Match(Docs);

        Assert.True(m.Success, "docs/configuration.md lost its unknown-section example");
        Assert.Equal(string.Join(", ", known), m.Groups[1].Value);
    }

    [GeneratedRegex(@"^\| `(?<key>[A-Za-z0-9:]+)` \| (?<default>[^|]*) \|", RegexOptions.Multiline)]
    private static partial Regex KeyRow();

    [GeneratedRegex(@":\d+(?=:|$)")]
    private static partial Regex Index();

    [GeneratedRegex(@":\d+$")]
    private static partial Regex TrailingIndex();

    [GeneratedRegex(@"unknown section \(known: ([A-Za-z, ]+)\)")]
    private static partial Regex KnownSections();
}
