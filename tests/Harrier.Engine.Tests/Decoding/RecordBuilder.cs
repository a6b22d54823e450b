using System.Runtime.InteropServices;
using System.Text;
using Harrier.Engine.Abi;

namespace Harrier.Engine.Tests.Decoding;

/// <summary>Builds raw probe records byte by byte, as the kernel would, for decoder tests.</summary>
internal sealed class RecordBuilder
{
    private readonly List<byte> _strings = new();
    private EvtRecord _r;

    public RecordBuilder(ushort op, long ret = 0)
    {
        _r.Hdr.Op = op;
        _r.Hdr.KTime = 1_000_000_000;
        _r.Hdr.Tgid = 4242;
        _r.Hdr.Tid = 4243;
        _r.Task.Ppid = 1;
        _r.Task.Uid = 1000;
        _r.Task.Gid = 1001;
        _r.Task.LoginUid = 1000;
        _r.Task.CgroupId = 77;
        _r.Task.StartNs = 555;
        Encoding.ASCII.GetBytes("bash").CopyTo((Span<byte>)_r.Task.Comm);
        _r.Ret = ret;
        _r.AbiVersion = (ushort)AbiConstants.Version;
    }

    public RecordBuilder Arg(int i, long value)
    {
        _r.Args[i] = (ulong)value;
        return this;
    }

    public RecordBuilder Aux(int i, ulong value)
    {
        _r.Aux[i] = value;
        return this;
    }

    public RecordBuilder Flags(ushort flags)
    {
        _r.Hdr.Flags |= flags;
        return this;
    }

    public RecordBuilder Abi(ushort version)
    {
        _r.AbiVersion = version;
        return this;
    }

    /// <summary>A C string slot (NUL added).</summary>
    public RecordBuilder Str(int slot, string s) => Bytes(slot, [.. Encoding.UTF8.GetBytes(s), 0]);

    public RecordBuilder Bytes(int slot, byte[] bytes)
    {
        _r.StrOff[slot] = (ushort)_strings.Count;
        _r.StrLen[slot] = (ushort)bytes.Length;
        _strings.AddRange(bytes);
        return this;
    }

    public RecordBuilder Net(EvtNetInfo net)
    {
        MemoryMarshal.Write(MemoryMarshal.AsBytes(new Span<UInt64x8>(ref _r.Aux)), in net);
        return this;
    }

    public byte[] Build()
    {
        _r.Hdr.Size = (uint)(AbiConstants.RecordSize + _strings.Count);
        var bytes = new byte[_r.Hdr.Size];
        MemoryMarshal.Write(bytes, in _r);
        _strings.CopyTo(bytes, AbiConstants.RecordSize);
        return bytes;
    }
}
