using System.Collections.Frozen;

namespace Harrier.Seccomp.Profiles;

/// <summary>
/// The x86_64 syscall table (64-bit ABI; the x32 numbers with bit 30 set are not listed and are rejected by
/// every compiled filter). Generated from the kernel's <c>asm/unistd_64.h</c> by
/// <c>seccomp/scripts/gen-syscalls.sh</c>. Thread-safe.
/// </summary>
internal static partial class SyscallTable
{
    private static FrozenDictionary<string, int> ByName => Index.ByName;

    private static FrozenDictionary<int, string> ByNumber => Index.ByNumber;

    /// <summary>All (name, number) pairs, ordered by number.</summary>
    public static IReadOnlyList<(string Name, int Nr)> All => X64Entries;

    /// <summary>The highest syscall number known.</summary>
    public static int MaxNumber => X64Entries[^1].Nr;

    public static bool TryGetNumber(string name, out int nr) => ByName.TryGetValue(name, out nr);

    public static bool TryGetName(int nr, out string name) => ByNumber.TryGetValue(nr, out name!);

    /// <summary>The syscall name, or <c>syscall_N</c> for numbers the table does not know.</summary>
    public static string NameOf(int nr) => ByNumber.TryGetValue(nr, out var n) ? n : "syscall_" + nr.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // A nested class, so the lookups are built after the generated table (static initialisers of partial
    // class files run in an unspecified file order).
    private static class Index
    {
        public static readonly FrozenDictionary<string, int> ByName =
            X64Entries.ToFrozenDictionary(e => e.Name, e => e.Nr, StringComparer.Ordinal);

        public static readonly FrozenDictionary<int, string> ByNumber =
            X64Entries.ToFrozenDictionary(e => e.Nr, e => e.Name);
    }
}
