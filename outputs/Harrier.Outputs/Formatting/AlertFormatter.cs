using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Harrier.Events;

namespace Harrier.Outputs.Formatting;

/// <summary>
/// Entry point for rendering an <see cref="Alert"/> in any <see cref="AlertFormat"/>. JSON is written with
/// <see cref="Utf8JsonWriter"/> (no reflection). With <c>flatKeys</c> nested objects become single-level keys joined by
/// <c>_</c> and dots inside keys become <c>_</c> (<c>proc.name</c> → <c>output_fields_proc_name</c>).
/// Thread-safe; per-thread scratch buffers keep the steady state allocation-free except for the result.
/// </summary>
public static class AlertFormatter
{
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_result;

    [ThreadStatic]
    private static Utf8JsonWriter? t_resultWriter;

    /// <summary>Appends one document (no trailing newline) to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, Alert alert, AlertFormat format, bool flatKeys = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(alert);
        if (format == AlertFormat.Text)
        {
            WriteText(output, alert);
            return;
        }

        if (!flatKeys)
        {
            if (ReferenceEquals(output, t_result))
            {
                Utf8JsonWriter cached = t_resultWriter ??= new Utf8JsonWriter(output, WriterOptions);
                cached.Reset(output);
                WriteJson(cached, alert, format);
                return;
            }

            using var w = new Utf8JsonWriter(output, WriterOptions);
            WriteJson(w, alert, format);
            return;
        }

        ArrayBufferWriter<byte> scratch = t_scratch ??= new ArrayBufferWriter<byte>(2048);
        scratch.ResetWrittenCount();
        Utf8JsonWriter nested = t_writer ??= new Utf8JsonWriter(scratch, WriterOptions);
        nested.Reset(scratch);
        WriteJson(nested, alert, format);
        nested.Flush();
        using var flat = new Utf8JsonWriter(output, WriterOptions);
        Flatten(scratch.WrittenSpan, flat);
    }

    /// <summary>The document as a new UTF-8 byte array.</summary>
    public static byte[] ToUtf8Bytes(Alert alert, AlertFormat format, bool flatKeys = false)
    {
        ArrayBufferWriter<byte> buffer = t_result ??= new ArrayBufferWriter<byte>(2048);
        buffer.ResetWrittenCount();
        Write(buffer, alert, format, flatKeys);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The document as a string (cold paths and tests).</summary>
    public static string ToText(Alert alert, AlertFormat format = AlertFormat.Text, bool flatKeys = false)
        => Encoding.UTF8.GetString(ToUtf8Bytes(alert, format, flatKeys));

    private static void WriteJson(Utf8JsonWriter w, Alert alert, AlertFormat format)
    {
        switch (format)
        {
            case AlertFormat.Ocsf: OcsfFormatter.Write(w, alert); break;
            case AlertFormat.Ecs: EcsFormatter.Write(w, alert); break;
            default: FalcoJsonFormatter.Write(w, alert); break;
        }

        w.Flush();
    }

    /// <summary>Falco's console line: <c>HH:MM:SS.nnnnnnnnn: Priority Output</c> (UTC clock). Newlines in the output become spaces.</summary>
    private static void WriteText(IBufferWriter<byte> output, Alert alert)
    {
        string priority = Priorities.Name(alert.Priority);
        int max = 18 + 2 + priority.Length + 1 + Encoding.UTF8.GetMaxByteCount(alert.Output.Length);
        Span<byte> span = output.GetSpan(max);
        int n = AlertTime.FormatClock(alert.TimeNs, span);
        span[n++] = (byte)':';
        span[n++] = (byte)' ';
        n += Encoding.ASCII.GetBytes(priority, span[n..]);
        span[n++] = (byte)' ';
        int start = n;
        n += Encoding.UTF8.GetBytes(alert.Output, span[n..]);
        for (int i = start; i < n; i++)
        {
            if (span[i] is (byte)'\n' or (byte)'\r')
            {
                span[i] = (byte)' ';
            }
        }

        output.Advance(n);
    }

    private static void Flatten(ReadOnlySpan<byte> json, Utf8JsonWriter flat)
    {
        var reader = new Utf8JsonReader(json);
        var path = new List<string>(8);
        string? pending = null;
        flat.WriteStartObject();
        int depth = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    if (depth > 0 && pending is not null)
                    {
                        path.Add(pending);
                    }

                    depth++;
                    pending = null;
                    break;
                case JsonTokenType.EndObject:
                    depth--;
                    if (depth > 0 && path.Count > 0)
                    {
                        path.RemoveAt(path.Count - 1);
                    }

                    break;
                case JsonTokenType.PropertyName:
                    pending = reader.GetString();
                    break;
                case JsonTokenType.StartArray:
                    flat.WritePropertyName(Key(path, pending));
                    flat.WriteStartArray();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        CopyScalar(ref reader, flat);
                    }

                    flat.WriteEndArray();
                    break;
                default:
                    flat.WritePropertyName(Key(path, pending));
                    CopyScalar(ref reader, flat);
                    break;
            }
        }

        flat.WriteEndObject();
        flat.Flush();
    }

    private static string Key(List<string> path, string? name)
    {
        var sb = new StringBuilder();
        foreach (string p in path)
        {
            sb.Append(p).Append('_');
        }

        sb.Append(name);
        return sb.Replace('.', '_').ToString();
    }

    private static void CopyScalar(ref Utf8JsonReader reader, Utf8JsonWriter w)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String: w.WriteStringValue(reader.GetString()); break;
            case JsonTokenType.Number: w.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
            case JsonTokenType.True: w.WriteBooleanValue(true); break;
            case JsonTokenType.False: w.WriteBooleanValue(false); break;
            default: w.WriteNullValue(); break;
        }
    }
}
