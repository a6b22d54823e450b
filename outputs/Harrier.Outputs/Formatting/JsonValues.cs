using System.Globalization;
using System.Text.Json;

namespace Harrier.Outputs.Formatting;

/// <summary>Writes the typed values an alert's output fields carry (string, integers, bool, null; anything else as its invariant string).</summary>
internal static class JsonValues
{
    public static void Write(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case long l: w.WriteNumberValue(l); break;
            case ulong ul: w.WriteNumberValue(ul); break;
            case int i: w.WriteNumberValue(i); break;
            case uint ui: w.WriteNumberValue(ui); break;
            case short sh: w.WriteNumberValue(sh); break;
            case ushort us: w.WriteNumberValue(us); break;
            case byte b: w.WriteNumberValue(b); break;
            case bool bo: w.WriteBooleanValue(bo); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case IFormattable f: w.WriteStringValue(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: w.WriteStringValue(value.ToString()); break;
        }
    }

    public static void WriteRfc3339(Utf8JsonWriter w, string name, long timeNs)
    {
        Span<byte> buf = stackalloc byte[AlertTime.Rfc3339Length];
        AlertTime.FormatRfc3339(timeNs, buf);
        w.WriteString(name, buf);
    }

    /// <summary>Writes the alert's output fields as an object: keys as written in the rule's output, typed values.</summary>
    public static void WriteFields(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, object?>> fields)
    {
        w.WriteStartObject(name);
        for (int i = 0; i < fields.Count; i++)
        {
            w.WritePropertyName(fields[i].Key);
            Write(w, fields[i].Value);
        }

        w.WriteEndObject();
    }

    public static void WriteTags(Utf8JsonWriter w, string name, IReadOnlyList<string> tags)
    {
        w.WriteStartArray(name);
        for (int i = 0; i < tags.Count; i++)
        {
            w.WriteStringValue(tags[i]);
        }

        w.WriteEndArray();
    }

    public static string ActionName(Harrier.Events.RuleAction action) => action switch
    {
        Harrier.Events.RuleAction.Deny => "deny",
        Harrier.Events.RuleAction.Kill => "kill",
        _ => "alert",
    };
}
