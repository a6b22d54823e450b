namespace Harrier.Engine.Enforcement;

/// <summary>Config names of <see cref="PolicyKind"/> and <see cref="PolicyOperations"/>. Thread-safe.</summary>
public static class PolicyKinds
{
    private static readonly (string Name, PolicyKind Kind)[] KindNames =
    [
        ("exec-path", PolicyKind.ExecPath),
        ("file-path", PolicyKind.FilePath),
        ("file-prefix", PolicyKind.FilePrefix),
        ("connect-cidr", PolicyKind.ConnectCidr),
        ("bind-cidr", PolicyKind.BindCidr),
        ("uid", PolicyKind.Uid),
        ("cgroup", PolicyKind.Cgroup),
    ];

    private static readonly (string Name, PolicyOperations Op)[] OpNames =
    [
        ("exec", PolicyOperations.Exec),
        ("open", PolicyOperations.Open),
        ("unlink", PolicyOperations.Unlink),
        ("rename", PolicyOperations.Rename),
        ("connect", PolicyOperations.Connect),
        ("bind", PolicyOperations.Bind),
        ("mount", PolicyOperations.Mount),
        ("module", PolicyOperations.Module),
        ("bpf", PolicyOperations.Bpf),
        ("ptrace", PolicyOperations.Ptrace),
    ];

    /// <summary>The config name, e.g. <c>exec-path</c>.</summary>
    public static string Name(PolicyKind kind)
    {
        foreach (var (name, k) in KindNames)
        {
            if (k == kind)
            {
                return name;
            }
        }
        return kind.ToString();
    }

    /// <summary>Parses a config name (case-insensitive). False for unknown names.</summary>
    public static bool TryParse(string? name, out PolicyKind kind)
    {
        foreach (var (n, k) in KindNames)
        {
            if (string.Equals(n, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>Parses <c>exec,open</c> style lists. Returns false and the first unknown word on error.</summary>
    public static bool TryParseOperations(string? text, out PolicyOperations ops, out string? unknown)
    {
        ops = PolicyOperations.None;
        unknown = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        foreach (var word in text.Split([',', '|', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool found = false;
            foreach (var (n, op) in OpNames)
            {
                if (string.Equals(n, word, StringComparison.OrdinalIgnoreCase))
                {
                    ops |= op;
                    found = true;
                }
            }
            if (!found)
            {
                unknown = word;
                return false;
            }
        }
        return true;
    }

    /// <summary>Formats operations as <c>exec,open</c>.</summary>
    public static string FormatOperations(PolicyOperations ops)
    {
        var parts = new List<string>();
        foreach (var (n, op) in OpNames)
        {
            if ((ops & op) != 0)
            {
                parts.Add(n);
            }
        }
        return string.Join(',', parts);
    }
}
