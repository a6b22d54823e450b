using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harrier.Engine.Enforcement;
using Harrier.Engine.Loading;
using Harrier.Host.Service;
using Microsoft.Extensions.Configuration;

namespace Harrier.Host.Commands;

/// <summary>
/// <c>harrier support [--config FILE] [-o K=V]</c>: one JSON document for bug reports: version, kernel and feature
/// probe, effective configuration with secrets redacted, rule files with sha256, and the counters of a running
/// Harrier scraped from its metrics endpoint (null with the reason when none answers).
/// </summary>
internal static partial class SupportCommand
{
    public static int Run(string[] args, TextWriter o, TextWriter err)
    {
        var a = ArgReader.Parse(args, [], ["--config|-c", "-o|--set"]);
        if (a.Errors.Count > 0 || a.Positional.Count > 0)
        {
            err.WriteLine("usage: harrier support [--config FILE] [-o Section:Key=value]...");
            return 2;
        }

        var doc = new JsonObject
        {
            ["harrier_version"] = typeof(SupportCommand).Assembly.GetName().Version?.ToString(3),
            ["runtime"] = Environment.Version.ToString(),
        };
        var features = FeatureProbe.Run();
        doc["features"] = JsonNode.Parse(features.ToJson());
        var paths = EnforcementPaths.Probe(lsmLoadable: features.Supports("lsm"));
        doc["lsm_hint"] = paths.LsmHint;

        var (settings, root) = EngineSettingsLoader.Load(a.Value("--config"), a.Values("-o"), [], err);
        if (root is not null)
        {
            doc["config"] = Redact(root);
        }

        if (settings is not null)
        {
            doc["config_files"] = new JsonArray(settings.ConfigFiles.Select(f => (JsonNode?)Hashed(f)).ToArray());
            var ruleFiles = settings.RulePaths
                .SelectMany<string, string>(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*.y*ml", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [p])
                .Where(File.Exists);
            doc["rule_files"] = new JsonArray(ruleFiles.Select(f => (JsonNode?)Hashed(f)).ToArray());
            doc["counters"] = Scrape(settings.Metrics.Listen, out string? why);
            doc["counters_unavailable"] = why;
        }

        o.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    /// <summary>
    /// The configuration as a JSON tree, with values of secret-looking keys replaced by <c>***</c>, and credentials
    /// written inside other values masked too: the password of <c>scheme://user:password@host</c> URLs and the
    /// value of <c>password=...</c>-style pairs (librdkafka's <c>sasl.jaas.config</c>, connection strings).
    /// </summary>
    internal static JsonObject Redact(IConfiguration config)
    {
        var obj = new JsonObject();
        foreach (var child in config.GetChildren())
        {
            obj[child.Key] = child.GetChildren().Any()
                ? Redact(child)
                : child.Value is null ? null : SecretKey().IsMatch(child.Key) ? "***" : RedactValue(child.Value);
        }

        return obj;
    }

    /// <summary>Masks the credentials a value may carry inline (URL user info, <c>password=</c> pairs).</summary>
    internal static string RedactValue(string value)
    {
        string masked = UrlPassword().Replace(value, "${pre}***@");
        return SecretPair().Replace(masked, "${key}${sep}***");
    }

    private static JsonObject Hashed(string path)
    {
        using var s = File.OpenRead(path);
        return new JsonObject { ["path"] = Path.GetFullPath(path), ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(s)) };
    }

    private static JsonObject? Scrape(string listen, out string? why)
    {
        why = null;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            string text = http.GetStringAsync($"http://{listen}/metrics").GetAwaiter().GetResult();
            var counters = new JsonObject();
            foreach (string line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                int sp = line.LastIndexOf(' ');
                if (sp > 0 && double.TryParse(line[(sp + 1)..], System.Globalization.CultureInfo.InvariantCulture, out double v))
                {
                    counters[line[..sp]] = v;
                }
            }

            return counters;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            why = $"no running Harrier answered on {listen}: {ex.Message}";
            return null;
        }
    }

    [GeneratedRegex("(?i)(password|passwd|secret|token|credential|private|sasl\\.|ssl\\.key|apikey|api_key)")]
    private static partial Regex SecretKey();

    // scheme://user:password@  ->  scheme://user:***@
    [GeneratedRegex(@"(?<pre>[a-zA-Z][a-zA-Z0-9+.-]*://[^/:@\s]*:)[^@\s/]*@")]
    private static partial Regex UrlPassword();

    // password=secret; pwd="secret"; token: secret  ->  key and separator kept, the value masked (quoted or not)
    [GeneratedRegex(@"(?i)(?<key>\b(?:password|passwd|pwd|secret|token|apikey|api_key)\b)(?<sep>\s*[=:]\s*)(?:""[^""]*""|'[^']*'|[^\s;,&]+)")]
    private static partial Regex SecretPair();
}
