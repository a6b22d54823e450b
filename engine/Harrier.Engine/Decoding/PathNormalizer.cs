namespace Harrier.Engine.Decoding;

/// <summary>
/// Builds absolute, normalised paths the way the kernel would walk them lexically: joins a relative path to its
/// base directory, removes <c>.</c> and empty components, resolves <c>..</c> (never above <c>/</c>). Symlinks are
/// not followed (the kernel reports resolved paths of successful opens itself). Thread-safe (stateless).
/// </summary>
internal static class PathNormalizer
{
    /// <summary>The absolute path of <paramref name="path"/> relative to <paramref name="baseDir"/> (used when
    /// <paramref name="path"/> is relative; when null or empty the path is taken as relative to <c>/</c>).</summary>
    public static string Resolve(string? baseDir, string path)
    {
        if (path.Length > 0 && path[0] == '/')
        {
            return Normalize(path);
        }

        string b = string.IsNullOrEmpty(baseDir) ? "/" : baseDir;
        return Normalize(path.Length == 0 ? b : string.Concat(b, "/", path));
    }

    /// <summary>Normalises an absolute path; returns the same instance when it is already normal.</summary>
    public static string Normalize(string path)
    {
        if (IsNormal(path))
        {
            return path;
        }

        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>True for absolute paths without empty, <c>.</c> or <c>..</c> components and no trailing slash.</summary>
    public static bool IsNormal(ReadOnlySpan<char> path)
    {
        if (path.Length == 0 || path[0] != '/')
        {
            return false;
        }

        if (path.Length == 1)
        {
            return true;
        }

        if (path[^1] == '/')
        {
            return false;
        }

        int start = 1;
        for (int i = 1; i <= path.Length; i++)
        {
            if (i == path.Length || path[i] == '/')
            {
                var comp = path[start..i];
                if (comp.Length == 0 || comp is "." or "..")
                {
                    return false;
                }

                start = i + 1;
            }
        }

        return true;
    }
}
