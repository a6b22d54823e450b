using System.Globalization;
using System.Text;
using Harrier.Events;

namespace Harrier.Rules.Output;

/// <summary>
/// A parsed rule output: literal text and <c>%field</c>, <c>%field[arg]</c>, <c>%(field)</c> tokens, with an optional
/// width (<c>%-10proc.name</c> left-aligns in 10 columns, <c>%10proc.name</c> right-aligns). <c>%%</c> is a percent
/// sign. Missing values print <c>&lt;NA&gt;</c>. Immutable; thread-safe.
/// </summary>
internal sealed class OutputFormat
{
    private readonly Segment[] _segments;
    private readonly Fields.DnsNameCache? _dns;

    private OutputFormat(Segment[] segments, IReadOnlyList<string> unsupported, Fields.DnsNameCache? dns)
    {
        _segments = segments;
        _dns = dns;
        UnsupportedFields = unsupported;
    }

    /// <summary>Fields the template uses that Harrier cannot supply (they print &lt;NA&gt;).</summary>
    public IReadOnlyList<string> UnsupportedFields { get; }

    private sealed record Segment(string? Text, string? Key, FieldInfo? Field, string? Arg, int Width);

    /// <summary>Parses a template; throws <see cref="FormatException"/> naming the bad token. <paramref name="dns"/>: where
    /// <c>%fd.*ip.name</c> finds its names (default: the shared cache).</summary>
    public static OutputFormat Parse(string template, Fields.DnsNameCache? dns = null)
    {
        var segs = new List<Segment>();
        var unsupported = new List<string>();
        var text = new StringBuilder();
        int i = 0;
        while (i < template.Length)
        {
            char c = template[i];
            if (c != '%')
            {
                text.Append(c);
                i++;
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '%')
            {
                text.Append('%');
                i += 2;
                continue;
            }

            int j = i + 1;
            bool paren = j < template.Length && template[j] == '(';
            if (paren) j++;
            int wstart = j;
            if (j < template.Length && template[j] == '-') j++;
            while (j < template.Length && char.IsAsciiDigit(template[j])) j++;
            int width = 0;
            if (j > wstart)
            {
                int.TryParse(template.AsSpan(wstart, j - wstart), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out width);
            }

            int nstart = j;
            while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] is '.' or '_'))
            {
                j++;
            }

            var name = template[nstart..j].TrimEnd('.');
            j = nstart + name.Length;
            if (name.Length == 0 || !name.Contains('.', StringComparison.Ordinal))
            {
                // Not a field token: keep the text literally (Falco does the same for a lone '%').
                text.Append('%');
                i++;
                continue;
            }

            string? arg = null;
            if (j < template.Length && template[j] == '[')
            {
                int close = template.IndexOf(']', j);
                if (close < 0)
                {
                    throw new FormatException($"output token '%{name}[' has no closing ']'");
                }

                arg = template[(j + 1)..close];
                j = close + 1;
            }

            if (paren)
            {
                if (j >= template.Length || template[j] != ')')
                {
                    throw new FormatException($"output token '%({name}' has no closing ')'");
                }

                j++;
            }

            if (text.Length > 0)
            {
                segs.Add(new Segment(text.ToString(), null, null, null, 0));
                text.Clear();
            }

            var (norm, normArg) = FieldRegistry.Normalize(name, arg);
            var key = arg is null ? name : $"{name}[{arg}]";
            if (FieldRegistry.TryGet(norm, out var field))
            {
                segs.Add(new Segment(null, key, field, normArg, width));
            }
            else if (FieldRegistry.UnsupportedReason(norm) is not null)
            {
                unsupported.Add(key);
                segs.Add(new Segment(null, key, null, null, width));
            }
            else
            {
                throw new FormatException($"unknown field '{name}' in output");
            }

            i = j;
        }

        if (text.Length > 0)
        {
            segs.Add(new Segment(text.ToString(), null, null, null, 0));
        }

        return new OutputFormat(segs.ToArray(), unsupported, dns);
    }

    /// <summary>Renders the output for <paramref name="e"/> and collects the field values (keys as written).</summary>
    public string Render(HarrierEvent e, List<KeyValuePair<string, object?>>? fields)
    {
        var sb = new StringBuilder();
        foreach (var s in _segments)
        {
            if (s.Text is not null)
            {
                sb.Append(s.Text);
                continue;
            }

            var value = s.Field is { Type: FieldType.HostName } host && _dns is not null ? host.NameOf(e, _dns) : s.Field?.Extract(e, s.Arg);
            fields?.Add(new(s.Key!, value));
            var str = value switch
            {
                null => "<NA>",
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "<NA>",
            };
            if (s.Width > 0) str = str.PadLeft(s.Width);
            else if (s.Width < 0) str = str.PadRight(-s.Width);
            sb.Append(str);
        }

        return sb.ToString().Trim();
    }
}
