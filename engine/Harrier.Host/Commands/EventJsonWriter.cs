using System.Collections;
using System.Net;
using System.Text.Json;
using Harrier.Events;
using Harrier.Rules;

namespace Harrier.Host.Commands;

/// <summary>
/// Writes one enriched event per line, as a JSON object keyed by the field names rules use (<c>evt.type</c>,
/// <c>proc.name</c>, <c>fd.name</c>...), or as a one-line human summary. Fields that do not apply to the event's
/// class are left out; fields that apply but have no value are written as null. Not thread-safe.
/// </summary>
internal sealed class EventJsonWriter
{
    private static readonly (string Field, string? Arg, string Key)[] Common =
    [
        ("evt.num", null, "evt.num"), ("evt.type", null, "evt.type"), ("evt.res", null, "evt.res"),
        ("evt.rawres", null, "evt.rawres"), ("evt.time", null, "evt.time"), ("proc.pid", null, "proc.pid"),
        ("thread.tid", null, "thread.tid"), ("proc.ppid", null, "proc.ppid"), ("proc.name", null, "proc.name"),
        ("proc.exepath", null, "proc.exepath"), ("proc.cmdline", null, "proc.cmdline"), ("proc.args", null, "proc.args"),
        ("proc.pname", null, "proc.pname"), ("proc.aname", "2", "proc.aname[2]"), ("proc.cwd", null, "proc.cwd"),
        ("proc.tty", null, "proc.tty"), ("user.uid", null, "user.uid"), ("user.name", null, "user.name"),
        ("user.loginuid", null, "user.loginuid"), ("group.gid", null, "group.gid"), ("group.name", null, "group.name"),
        ("container.id", null, "container.id"), ("container.name", null, "container.name"),
        ("container.image", null, "container.image"),
    ];

    private static readonly Dictionary<EventClass, (string Field, string? Arg, string Key)[]> PerClass = new()
    {
        [EventClass.Process] = [("evt.arg.filename", null, "evt.arg.filename"), ("proc.exe", null, "proc.exe")],
        [EventClass.File] =
        [
            ("fd.name", null, "fd.name"), ("fd.nameraw", null, "fd.nameraw"), ("fd.num", null, "fd.num"),
            ("evt.arg.flags", null, "evt.arg.flags"), ("evt.arg.mode", null, "evt.arg.mode"),
            ("fs.path.target", null, "fs.path.target"), ("evt.arg.newpath", null, "evt.arg.newpath"),
        ],
        [EventClass.Network] =
        [
            ("fd.num", null, "fd.num"), ("fd.name", null, "fd.name"), ("fd.l4proto", null, "fd.l4proto"),
            ("fd.sockfamily", null, "fd.sockfamily"), ("fd.cip", null, "fd.cip"), ("fd.cport", null, "fd.cport"),
            ("fd.sip", null, "fd.sip"), ("fd.sport", null, "fd.sport"),
        ],
        [EventClass.Privilege] = [("evt.args", null, "evt.args")],
        [EventClass.Decision] = [("evt.args", null, "evt.args")],
    };

    private readonly Utf8JsonWriter _json;
    private readonly Stream _out;
    private readonly TextWriter _text;

    public EventJsonWriter(Stream output, TextWriter text)
    {
        _out = output;
        _text = text;
        _json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, SkipValidation = true });
    }

    public void WriteJson(HarrierEvent e)
    {
        _json.Reset(_out);
        _json.WriteStartObject();
        foreach (var f in Common)
        {
            Write(e, f);
        }

        if (PerClass.TryGetValue(e.Class, out var extra))
        {
            foreach (var f in extra)
            {
                Write(e, f);
            }
        }

        _json.WriteEndObject();
        _json.Flush();
        _out.WriteByte((byte)'\n');
    }

    public void WriteText(HarrierEvent e)
    {
        string detail = e switch
        {
            FileEvent f => f.NewPath is null ? f.Path ?? f.RawPath ?? string.Empty : $"{f.Path} -> {f.NewPath}",
            NetworkEvent n => n.Remote.IsSet ? $"{n.Local} -> {n.Remote}" : n.Local.ToString(),
            ProcessEvent p => p.Type is EventType.ProcExit ? $"code={p.ExitCode} sig={p.ExitSignal}"
                : p.ChildPid != 0 ? $"child={p.ChildPid}" : $"{p.ExePath} {string.Join(' ', p.Argv.Skip(1))}",
            PrivilegeEvent v => v.Name ?? v.TargetPath ?? $"target={v.Target}",
            DecisionEvent d => $"{d.Hook} {d.Action} {d.Subject}",
            _ => string.Empty,
        };
        var time = DateTimeOffset.FromUnixTimeMilliseconds(e.TimestampNs / 1_000_000).UtcDateTime;
        _text.WriteLine($"{time:HH:mm:ss.fff} {e.Comm}({e.Pid}) {EventTypes.Name(e.Type)} res={e.Res} {detail}");
    }

    public void Flush()
    {
        _out.Flush();
        _text.Flush();
    }

    private void Write(HarrierEvent e, (string Field, string? Arg, string Key) f)
    {
        var (name, arg) = FieldRegistry.Normalize(f.Field, f.Arg);
        if (!FieldRegistry.TryGet(name, out var info) || !info.Classes.Contains(e.Class))
        {
            return;
        }

        object? v;
        try
        {
            v = info.Extract(e, arg);
        }
        catch (ArgumentException)
        {
            return;
        }

        _json.WritePropertyName(f.Key);
        WriteValue(v);
    }

    private void WriteValue(object? v)
    {
        switch (v)
        {
            case null: _json.WriteNullValue(); break;
            case string s: _json.WriteStringValue(s); break;
            case bool b: _json.WriteBooleanValue(b); break;
            case long l: _json.WriteNumberValue(l); break;
            case int i: _json.WriteNumberValue(i); break;
            case ulong u: _json.WriteNumberValue(u); break;
            case uint u32: _json.WriteNumberValue(u32); break;
            case double d: _json.WriteNumberValue(d); break;
            case IPAddress ip: _json.WriteStringValue(ip.ToString()); break;
            case IEnumerable seq when v is not string:
                _json.WriteStartArray();
                foreach (object? item in seq)
                {
                    WriteValue(item);
                }

                _json.WriteEndArray();
                break;
            default: _json.WriteStringValue(v.ToString()); break;
        }
    }
}
