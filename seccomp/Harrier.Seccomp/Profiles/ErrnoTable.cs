using System.Collections.Frozen;
using System.Globalization;

namespace Harrier.Seccomp.Profiles;

/// <summary>Linux errno names (generated from the kernel headers by <c>seccomp/scripts/gen-syscalls.sh</c>). Thread-safe.</summary>
internal static partial class ErrnoTable
{
    /// <summary>The largest value SECCOMP_RET_ERRNO can carry that the kernel still treats as an errno (MAX_ERRNO).</summary>
    public const int MaxErrno = 4095;

    private static FrozenDictionary<string, int> ByName => Index.ByName;

    private static FrozenDictionary<int, string> ByNumber => Index.ByNumber;

    /// <summary>Parses <c>EPERM</c> (case-insensitive) or a number in 1..4095.</summary>
    public static bool TryParse(string? text, out int errno)
    {
        errno = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out errno))
        {
            return errno is >= 1 and <= MaxErrno;
        }

        return ByName.TryGetValue(text.ToUpperInvariant(), out errno);
    }

    /// <summary>The errno's first name (<c>EPERM</c>), or its number as text.</summary>
    public static string Name(int errno) => ByNumber.TryGetValue(errno, out var n) ? n : errno.ToString(CultureInfo.InvariantCulture);

    // Nested so it is initialised after the generated table in the other partial file.
    private static class Index
    {
        public static readonly FrozenDictionary<string, int> ByName =
            Entries.ToFrozenDictionary(e => e.Name, e => e.Number, StringComparer.Ordinal);

        public static readonly FrozenDictionary<int, string> ByNumber =
            Entries.GroupBy(e => e.Number).ToFrozenDictionary(g => g.Key, g => g.First().Name);
    }
}
