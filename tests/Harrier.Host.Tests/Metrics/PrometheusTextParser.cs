using System.Globalization;
using System.Text;

namespace Harrier.Host.Tests.Metrics;

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4, as a scraper reads it: <c># HELP</c> and
/// <c># TYPE</c> lines (at most one each per family, TYPE before the family's samples), sample lines
/// <c>name{label="value",...} value [timestamp]</c> with the format's escapes (<c>\\</c>, <c>\"</c>, <c>\n</c>),
/// values including NaN and ±Inf, every family's samples contiguous, no series twice. Throws
/// <see cref="FormatException"/> naming the line on anything else.
/// </summary>
internal sealed class PrometheusTextParser
{
    private readonly Dictionary<string, double> _samples = new(StringComparer.Ordinal);

    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Help { get; } = new(StringComparer.Ordinal);

    /// <summary>Series keys: the name, then the labels sorted by name (<c>name{a="1",b="2"}</c>).</summary>
    public IReadOnlyDictionary<string, double> Samples => _samples;

    public static PrometheusTextParser Parse(string text)
    {
        var p = new PrometheusTextParser();
        string? family = null;
        var closed = new HashSet<string>(StringComparer.Ordinal);
        int n = 0;
        foreach (string line in text.Split('\n'))
        {
            n++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                string[] parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] is "HELP" or "TYPE")
                {
                    string name = parts[2];
                    CheckName(name, n);
                    var into = parts[1] == "HELP" ? p.Help : p.Types;
                    if (!into.TryAdd(name, parts.Length > 3 ? parts[3] : string.Empty))
                    {
                        throw new FormatException($"line {n}: second {parts[1]} for {name}");
                    }

                    if (parts[1] == "TYPE" && p.Types[name] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    {
                        throw new FormatException($"line {n}: unknown type '{p.Types[name]}'");
                    }

                    if (p._samples.Keys.Any(k => Family(k) == name))
                    {
                        throw new FormatException($"line {n}: {parts[1]} for {name} after its samples");
                    }
                }

                continue; // other comments are allowed
            }

            var (series, metric, value) = ParseSample(line, n);
            if (family != metric)
            {
                if (family is not null)
                {
                    closed.Add(family);
                }

                if (closed.Contains(metric))
                {
                    throw new FormatException($"line {n}: samples of {metric} are not contiguous");
                }

                family = metric;
            }

            if (!p._samples.TryAdd(series, value))
            {
                throw new FormatException($"line {n}: duplicate series {series}");
            }
        }

        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the last line does not end with a line feed");
        }

        return p;
    }

    /// <summary>The value of one series; throws when absent.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        string key = Key(name, labels.Select(l => (l.Name, l.Value)).ToList());
        return _samples.TryGetValue(key, out double v) ? v : throw new KeyNotFoundException($"no series {key}");
    }

    private static string Family(string series) => series.Split('{')[0];

    private static string Key(string name, List<(string Name, string Value)> labels)
    {
        if (labels.Count == 0)
        {
            return name;
        }

        var b = new StringBuilder(name).Append('{');
        b.AppendJoin(',', labels.OrderBy(l => l.Name, StringComparer.Ordinal).Select(l => $"{l.Name}=\"{l.Value}\""));
        return b.Append('}').ToString();
    }

    private static (string Series, string Metric, double Value) ParseSample(string line, int n)
    {
        int i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        string name = line[..i];
        CheckName(name, n);
        var labels = new List<(string, string)>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                int eq = line.IndexOf('=', i);
                if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
                {
                    throw new FormatException($"line {n}: label without =\"...\": {line}");
                }

                string label = line[i..eq];
                CheckName(label, n, label: true);
                var value = new StringBuilder();
                int j = eq + 2;
                for (; j < line.Length && line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(j < line.Length ? line[j] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"line {n}: bad escape \\{line[j]}"),
                        } : throw new FormatException($"line {n}: escape at end of line"));
                    }
                    else
                    {
                        value.Append(line[j]);
                    }
                }

                if (j >= line.Length)
                {
                    throw new FormatException($"line {n}: unterminated label value");
                }

                if (labels.Any(l => l.Item1 == label))
                {
                    throw new FormatException($"line {n}: label {label} twice");
                }

                labels.Add((label, value.ToString()));
                i = j + 1;
                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw new FormatException($"line {n}: expected , or }} after a label");
                }
            }

            i++;
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"line {n}: expected a space before the value: {line}");
        }

        string[] rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"line {n}: expected VALUE [TIMESTAMP]: {line}");
        }

        double v = rest[0] switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : throw new FormatException($"line {n}: bad value '{rest[0]}'"),
        };
        return (Key(name, labels), name, v);
    }

    private static void CheckName(string name, int n, bool label = false)
    {
        bool ok = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_' || (!label && name[0] == ':'))
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || (!label && c == ':'));
        if (!ok)
        {
            throw new FormatException($"line {n}: invalid {(label ? "label" : "metric")} name '{name}'");
        }
    }
}
