using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Harrier.Seccomp.Notify;

/// <summary>
/// Reads another process's memory through <c>/proc/TID/mem</c> (needs ptrace access to the target: root, or the
/// same user with a non-dumpable-free target). One instance per notification; not thread-safe. Reads never
/// cross into an unmapped page: strings are read up to the page end first.
/// </summary>
internal sealed class ProcessMemory : IDisposable
{
    private const int PageSize = 4096;
    private readonly string _path;
    private SafeFileHandle? _handle;
    private bool _opened;

    /// <summary>Prepares to read TID's memory; the file is opened on the first read (many notifications read nothing).</summary>
    public ProcessMemory(string procRoot, int tid)
    {
        _path = Path.Combine(procRoot, tid.ToString(System.Globalization.CultureInfo.InvariantCulture), "mem");
    }

    /// <summary>Why the memory could not be opened or read, or null.</summary>
    public string? Error { get; private set; }

    private SafeFileHandle? Handle
    {
        get
        {
            if (!_opened)
            {
                _opened = true;
                try
                {
                    _handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Error = e.Message;
                }
            }

            return _handle;
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="address"/>; false on any fault.</summary>
    public bool TryRead(ulong address, Span<byte> buffer)
    {
        if (address == 0 || address > long.MaxValue - (ulong)buffer.Length || Handle is not { } handle)
        {
            return false;
        }

        try
        {
            int done = 0;
            while (done < buffer.Length)
            {
                int n = RandomAccess.Read(handle, buffer[done..], (long)address + done);
                if (n <= 0)
                {
                    return false;
                }

                done += n;
            }

            return true;
        }
        catch (IOException e)
        {
            Error = e.Message;
            return false;
        }
    }

    /// <summary>Reads a NUL-terminated string of at most <paramref name="max"/> bytes (UTF-8, invalid bytes replaced).</summary>
    public bool TryReadString(ulong address, int max, out string value, out bool truncated)
    {
        value = string.Empty;
        truncated = false;
        if (address == 0)
        {
            return false;
        }

        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        try
        {
            return ReadString(address, max, bytes, out value, out truncated);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private bool ReadString(ulong address, int max, byte[] bytes, out string value, out bool truncated)
    {
        value = string.Empty;
        truncated = false;
        int total = 0;
        while (total < max)
        {
            ulong at = address + (ulong)total;
            int chunk = Math.Min(PageSize - (int)(at % PageSize), max - total);
            if (!TryRead(at, bytes.AsSpan(total, chunk)))
            {
                return false;
            }

            int nul = bytes.AsSpan(total, chunk).IndexOf((byte)0);
            if (nul >= 0)
            {
                value = Encoding.UTF8.GetString(bytes, 0, total + nul);
                return true;
            }

            total += chunk;
        }

        truncated = true;
        value = Encoding.UTF8.GetString(bytes, 0, total);
        return true;
    }

    /// <summary>Reads a NULL-terminated array of string pointers (argv), at most <paramref name="maxItems"/> entries.</summary>
    public IReadOnlyList<string> ReadStringArray(ulong address, int maxItems, int maxBytes, out bool truncated)
    {
        truncated = false;
        var list = new List<string>();
        Span<byte> ptr = stackalloc byte[8];
        int bytes = 0;
        for (int i = 0; ; i++)
        {
            if (!TryRead(address + (ulong)(i * 8), ptr))
            {
                truncated = true;
                break;
            }

            ulong p = BitConverter.ToUInt64(ptr);
            if (p == 0)
            {
                break;
            }

            if (i >= maxItems || bytes >= maxBytes || !TryReadString(p, Math.Min(4096, maxBytes - bytes), out var s, out bool cut))
            {
                truncated = true;
                break;
            }

            list.Add(s);
            bytes += s.Length + 1;
            truncated |= cut;
        }

        return list;
    }

    public void Dispose() => _handle?.Dispose();
}
