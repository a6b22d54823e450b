using System.Buffers;

namespace Harrier.Engine.Ingest;

/// <summary>
/// Raw records copied out of the ring buffer, back to back: each is a 4-byte length then the record, padded to
/// 8 bytes. The buffer is rented from <see cref="ArrayPool{T}"/>; batches are recycled, never shared between
/// two threads at a time.
/// </summary>
internal sealed class RecordBatch
{
    public RecordBatch(int bufferBytes) => Buffer = ArrayPool<byte>.Shared.Rent(bufferBytes);

    public byte[] Buffer { get; private set; }

    /// <summary>Bytes used.</summary>
    public int Length { get; set; }

    /// <summary>Records in the batch.</summary>
    public int Count { get; set; }

    /// <summary>Appends one record; false when it does not fit.</summary>
    public bool TryAppend(ReadOnlySpan<byte> record)
    {
        int need = 4 + ((record.Length + 7) & ~7);
        if (Length + need > Buffer.Length)
        {
            return false;
        }

        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(Buffer.AsSpan(Length), record.Length);
        record.CopyTo(Buffer.AsSpan(Length + 4));
        Length += need;
        Count++;
        return true;
    }

    /// <summary>Iterates the records.</summary>
    public Enumerator GetEnumerator() => new(Buffer, Length);

    public void Clear()
    {
        Length = 0;
        Count = 0;
    }

    /// <summary>Returns the buffer to the pool; the batch is unusable afterwards.</summary>
    public void Release()
    {
        ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = [];
        Clear();
    }

    /// <summary>A non-allocating enumerator over the records of a batch.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _next;

        internal Enumerator(byte[] buffer, int length)
        {
            _data = buffer.AsSpan(0, length);
            _next = 0;
            Current = default;
        }

        public ReadOnlySpan<byte> Current { get; private set; }

        public bool MoveNext()
        {
            if (_next + 4 > _data.Length)
            {
                return false;
            }

            int len = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_data[_next..]);
            Current = _data.Slice(_next + 4, len);
            _next += 4 + ((len + 7) & ~7);
            return true;
        }
    }
}
