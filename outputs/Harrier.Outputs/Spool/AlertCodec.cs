using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Harrier.Events;

namespace Harrier.Outputs.Spool;

/// <summary>
/// Full-fidelity binary encoding of an <see cref="Alert"/> for the spool (every field, typed output values), so a spooled
/// alert can later be rendered in any format. Version byte first; <see cref="Decode"/> throws <see cref="FormatException"/>
/// on anything malformed. Stateless and thread-safe.
/// </summary>
internal static class AlertCodec
{
    private const byte Version = 1;

    public static void Encode(Alert a, IBufferWriter<byte> output)
    {
        var w = new Writer(output);
        w.Byte(Version);
        Span<byte> g = stackalloc byte[16];
        a.Uuid.TryWriteBytes(g);
        w.Bytes(g);
        w.Long(a.TimeNs);
        w.String(a.Rule);
        w.Byte((byte)a.Priority);
        w.String(a.Source);
        w.String(a.Hostname);
        w.String(a.Output);
        w.Int(a.OutputFields.Count);
        foreach (KeyValuePair<string, object?> f in a.OutputFields)
        {
            w.String(f.Key);
            switch (f.Value)
            {
                case null: w.Byte(0); break;
                case string s: w.Byte(1); w.String(s); break;
                case long l: w.Byte(2); w.Long(l); break;
                case int i: w.Byte(2); w.Long(i); break;
                case ulong ul: w.Byte(3); w.Long(unchecked((long)ul)); break;
                case uint ui: w.Byte(3); w.Long(ui); break;
                case bool b: w.Byte(4); w.Byte(b ? (byte)1 : (byte)0); break;
                default: w.Byte(1); w.String(Convert.ToString(f.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty); break;
            }
        }

        w.Int(a.Tags.Count);
        foreach (string t in a.Tags)
        {
            w.String(t);
        }

        w.Byte((byte)a.Action);
        w.String(a.Enforced);
        w.Long(a.EventId);
        if (a.Process is not { } p)
        {
            w.Byte(0);
            return;
        }

        w.Byte(1);
        w.Int(p.Pid);
        w.Int(p.Ppid);
        w.String(p.Name);
        w.String(p.ExePath);
        w.String(p.Cmdline);
        w.String(p.ParentName);
        w.Int(unchecked((int)p.Uid));
        w.String(p.UserName);
        w.String(p.ContainerId);
        w.NullableString(p.FilePath);
        w.NullableString(p.DestinationIp);
        w.Byte(p.DestinationPort.HasValue ? (byte)1 : (byte)0);
        w.Int(p.DestinationPort ?? 0);
    }

    public static Alert Decode(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        if (r.Byte() != Version)
        {
            throw new FormatException("unknown spool record version");
        }

        var uuid = new Guid(r.Bytes(16));
        long time = r.Long();
        string rule = r.String();
        var priority = (Priority)r.Byte();
        if (priority > Priority.Debug)
        {
            throw new FormatException("bad priority");
        }

        string source = r.String();
        string host = r.String();
        string output = r.String();
        int nf = r.Count();
        var fields = new KeyValuePair<string, object?>[nf];
        for (int i = 0; i < nf; i++)
        {
            string key = r.String();
            object? value = r.Byte() switch
            {
                0 => null,
                1 => r.String(),
                2 => r.Long(),
                3 => unchecked((ulong)r.Long()),
                4 => r.Byte() != 0,
                _ => throw new FormatException("bad field tag"),
            };
            fields[i] = new KeyValuePair<string, object?>(key, value);
        }

        int nt = r.Count();
        string[] tags = new string[nt];
        for (int i = 0; i < nt; i++)
        {
            tags[i] = r.String();
        }

        var action = (RuleAction)r.Byte();
        string enforced = r.String();
        long eventId = r.Long();
        AlertProcess? process = null;
        if (r.Byte() == 1)
        {
            process = new AlertProcess
            {
                Pid = r.Int(),
                Ppid = r.Int(),
                Name = r.String(),
                ExePath = r.String(),
                Cmdline = r.String(),
                ParentName = r.String(),
                Uid = unchecked((uint)r.Int()),
                UserName = r.String(),
                ContainerId = r.String(),
                FilePath = r.NullableString(),
                DestinationIp = r.NullableString(),
            };
            bool hasPort = r.Byte() != 0;
            int port = r.Int();
            process = process with { DestinationPort = hasPort ? port : null };
        }

        return new Alert
        {
            Uuid = uuid,
            TimeNs = time,
            Rule = rule,
            Priority = priority,
            Source = source,
            Hostname = host,
            Output = output,
            OutputFields = fields,
            Tags = tags,
            Action = action,
            Enforced = enforced,
            EventId = eventId,
            Process = process,
        };
    }

    private ref struct Writer(IBufferWriter<byte> output)
    {
        private readonly IBufferWriter<byte> _output = output;

        public readonly void Byte(byte b)
        {
            _output.GetSpan(1)[0] = b;
            _output.Advance(1);
        }

        public readonly void Bytes(ReadOnlySpan<byte> b) => _output.Write(b);

        public readonly void Int(int v)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_output.GetSpan(4), v);
            _output.Advance(4);
        }

        public readonly void Long(long v)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_output.GetSpan(8), v);
            _output.Advance(8);
        }

        public readonly void String(string s)
        {
            int max = Encoding.UTF8.GetMaxByteCount(s.Length);
            Span<byte> span = _output.GetSpan(max + 4);
            int n = Encoding.UTF8.GetBytes(s, span[4..]);
            BinaryPrimitives.WriteInt32LittleEndian(span, n);
            _output.Advance(n + 4);
        }

        public readonly void NullableString(string? s)
        {
            if (s is null)
            {
                Int(-1);
            }
            else
            {
                String(s);
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public byte Byte()
        {
            Need(1);
            byte b = _data[0];
            _data = _data[1..];
            return b;
        }

        public ReadOnlySpan<byte> Bytes(int n)
        {
            Need(n);
            ReadOnlySpan<byte> s = _data[..n];
            _data = _data[n..];
            return s;
        }

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

        public int Count()
        {
            int n = Int();
            if (n < 0 || n > _data.Length)
            {
                throw new FormatException("bad count");
            }

            return n;
        }

        public string String()
        {
            int n = Count();
            return Encoding.UTF8.GetString(Bytes(n));
        }

        public string? NullableString()
        {
            int n = Int();
            if (n == -1)
            {
                return null;
            }

            if (n < 0 || n > _data.Length)
            {
                throw new FormatException("bad string length");
            }

            return Encoding.UTF8.GetString(Bytes(n));
        }

        private readonly void Need(int n)
        {
            if (_data.Length < n)
            {
                throw new FormatException("record truncated");
            }
        }
    }
}
