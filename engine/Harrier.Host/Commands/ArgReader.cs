namespace Harrier.Host.Commands;

/// <summary>
/// A small, strict command-line reader: named options (<c>--json</c>, <c>--duration 5</c>, <c>-r PATH</c>, repeatable
/// ones), positional arguments, and everything after <c>--</c> verbatim. Unknown options are errors, reported
/// together with the usage line.
/// </summary>
internal sealed class ArgReader
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private ArgReader(List<string> positional, List<string> rest, List<string> errors)
    {
        Positional = positional;
        Rest = rest;
        Errors = errors;
    }

    /// <summary>Arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Everything after a bare <c>--</c>.</summary>
    public IReadOnlyList<string> Rest { get; }

    /// <summary>Unknown options and options missing their value.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Parses <paramref name="args"/>. <paramref name="flags"/> take no value; <paramref name="valued"/> take one
    /// (repeatable). Aliases are written <c>"-r|--rules"</c>; the first spelling is the key.</summary>
    public static ArgReader Parse(IEnumerable<string> args, string[] flags, string[] valued)
    {
        var flagKeys = Index(flags);
        var valuedKeys = Index(valued);
        var positional = new List<string>();
        var rest = new List<string>();
        var errors = new List<string>();
        var reader = new ArgReader(positional, rest, errors);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string a = e.Current;
            if (a == "--")
            {
                while (e.MoveNext())
                {
                    rest.Add(e.Current);
                }

                break;
            }

            string name = a;
            string? inline = null;
            if (a.StartsWith("--", StringComparison.Ordinal) && a.IndexOf('=') is int eq and > 0)
            {
                name = a[..eq];
                inline = a[(eq + 1)..];
            }

            if (flagKeys.TryGetValue(name, out string? fk) && inline is null)
            {
                reader._flags.Add(fk);
            }
            else if (valuedKeys.TryGetValue(name, out string? vk))
            {
                string? v = inline;
                if (v is null)
                {
                    if (!e.MoveNext())
                    {
                        errors.Add($"option {name} needs a value");
                        break;
                    }

                    v = e.Current;
                }

                if (!reader._values.TryGetValue(vk, out var list))
                {
                    reader._values[vk] = list = new List<string>();
                }

                list.Add(v);
            }
            else if (a.Length > 1 && a[0] == '-' && !IsNumber(a))
            {
                errors.Add($"unknown option {a}");
            }
            else
            {
                positional.Add(a);
            }
        }

        return reader;
    }

    public bool Has(string key) => _flags.Contains(key);

    public string? Value(string key) => _values.TryGetValue(key, out var l) ? l[^1] : null;

    public IReadOnlyList<string> Values(string key) => _values.TryGetValue(key, out var l) ? l : Array.Empty<string>();

    /// <summary>A positive number option, or the default; an unparsable value is added to <see cref="Errors"/>.</summary>
    public double Number(string key, double fallback)
    {
        string? v = Value(key);
        if (v is null)
        {
            return fallback;
        }

        if (double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && d >= 0)
        {
            return d;
        }

        ((List<string>)Errors).Add($"option {key} needs a non-negative number, got '{v}'");
        return fallback;
    }

    private static bool IsNumber(string s) => double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out _);

    private static Dictionary<string, string> Index(string[] specs)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string spec in specs)
        {
            string[] names = spec.Split('|');
            foreach (string n in names)
            {
                d[n] = names[0];
            }
        }

        return d;
    }
}
