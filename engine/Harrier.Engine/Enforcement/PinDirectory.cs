namespace Harrier.Engine.Enforcement;

/// <summary>
/// A bpffs directory that holds pinned enforcement (BPF LSM or cgroup links and maps): the checks on where it may be
/// and its removal, shared by <see cref="LsmEnforcer"/> and <see cref="CgroupEnforcer"/>.
/// </summary>
internal static class PinDirectory
{
    /// <summary>Adds the problems with <paramref name="pinRoot"/> (the value of <paramref name="key"/>) to <paramref name="errors"/>.</summary>
    public static void Validate(string key, string? pinRoot, string example, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(pinRoot) || !pinRoot.StartsWith('/'))
        {
            errors.Add($"{key} must be an absolute path on a bpf filesystem (e.g. {example})");
        }
        else if (pinRoot.TrimEnd('/') == "/sys/fs/bpf" || pinRoot.Contains("/../", StringComparison.Ordinal) || pinRoot.EndsWith("/..", StringComparison.Ordinal))
        {
            errors.Add($"{key} must be a dedicated directory below the bpffs mount, without '..'");
        }
    }

    /// <summary>
    /// Removes every pin under <paramref name="root"/> (links first, which detaches their programs once no process
    /// holds them, then maps) and the directory. Returns the problems; <paramref name="removed"/> is true when the
    /// directory existed and is gone.
    /// </summary>
    public static List<string> Remove(string root, out bool removed)
    {
        var errors = new List<string>();
        removed = false;
        if (!Directory.Exists(root))
        {
            return errors;
        }

        foreach (var f in Directory.GetFiles(root).OrderBy(f => Path.GetFileName(f).StartsWith("link_", StringComparison.Ordinal) ? 0 : 1))
        {
            try
            {
                File.Delete(f);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{f}: {ex.Message}");
            }
        }

        if (errors.Count == 0)
        {
            try
            {
                Directory.Delete(root);
                removed = true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{root}: {ex.Message}");
            }
        }

        return errors;
    }
}
