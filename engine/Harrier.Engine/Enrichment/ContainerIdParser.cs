namespace Harrier.Engine.Enrichment;

/// <summary>
/// Recognises the container a process runs in from its cgroup path, as Falco's container plugin does:
/// docker (<c>/docker/ID</c>, <c>docker-ID.scope</c>), containerd (<c>cri-containerd-ID.scope</c>,
/// <c>…:cri-containerd:ID</c>, <c>/kubepods/…/ID</c>), cri-o (<c>crio-ID.scope</c>), podman
/// (<c>libpod-ID.scope</c>, <c>/libpod_parent/libpod-ID</c>) and systemd-nspawn (<c>machine-NAME.scope</c>).
/// The innermost (last) matching path component wins. Stateless and thread-safe.
/// </summary>
internal static class ContainerIdParser
{
    /// <summary>The id Falco reports for processes outside any container.</summary>
    public const string Host = "host";

    /// <summary>Length of the short id (Falco's <c>container.id</c>).</summary>
    public const int ShortIdLength = 12;

    private const int FullIdLength = 64;

    /// <summary>
    /// Parses a cgroup path (the part after <c>0::</c> in <c>/proc/PID/cgroup</c>).
    /// </summary>
    /// <param name="cgroupPath">The cgroup path; any text is accepted.</param>
    /// <param name="id">The short id: 12 hex characters for docker-style ids, the machine name for nspawn, else <c>host</c>.</param>
    /// <param name="fullId">The full id (64 hex characters, or the machine name), else <c>host</c>.</param>
    /// <param name="runtime">docker, containerd, cri-o, podman or systemd-nspawn; empty for the host.</param>
    /// <returns>True when a container was recognised.</returns>
    public static bool TryParse(string? cgroupPath, out string id, out string fullId, out string runtime)
    {
        id = fullId = Host;
        runtime = string.Empty;
        if (string.IsNullOrEmpty(cgroupPath))
        {
            return false;
        }

        var path = cgroupPath.AsSpan().TrimEnd('/');
        bool underKubepods = path.Contains("kubepods", StringComparison.Ordinal);
        while (path.Length > 0)
        {
            int slash = path.LastIndexOf('/');
            var component = path[(slash + 1)..];
            var previous = slash > 0 ? Previous(path[..slash]) : ReadOnlySpan<char>.Empty;
            if (TryComponent(component, previous, underKubepods, out fullId, out runtime))
            {
                id = runtime == "systemd-nspawn" ? fullId : fullId[..ShortIdLength];
                return true;
            }

            path = slash < 0 ? ReadOnlySpan<char>.Empty : path[..slash];
        }

        fullId = Host;
        runtime = string.Empty;
        return false;
    }

    private static ReadOnlySpan<char> Previous(ReadOnlySpan<char> head)
    {
        int slash = head.LastIndexOf('/');
        return head[(slash + 1)..];
    }

    private static bool TryComponent(ReadOnlySpan<char> component, ReadOnlySpan<char> previous, bool underKubepods, out string fullId, out string runtime)
    {
        fullId = Host;
        runtime = string.Empty;
        var name = component.EndsWith(".scope", StringComparison.Ordinal) ? component[..^".scope".Length] : component;

        if (TryPrefixed(name, "docker-", out fullId))
        {
            runtime = "docker";
            return true;
        }

        if (TryPrefixed(name, "cri-containerd-", out fullId))
        {
            runtime = "containerd";
            return true;
        }

        if (TryPrefixed(name, "crio-", out fullId))
        {
            runtime = "cri-o";
            return true;
        }

        if (TryPrefixed(name, "libpod-", out fullId))
        {
            runtime = "podman";
            return true;
        }

        // systemd cgroup driver names written into a cgroupfs hierarchy: "kubepods-…-pod….slice:cri-containerd:ID".
        int colon = name.LastIndexOf(':');
        if (colon > 0 && IsFullId(name[(colon + 1)..]))
        {
            var kind = name[..colon];
            int kindStart = kind.LastIndexOf(':');
            kind = kind[(kindStart + 1)..];
            runtime = kind switch
            {
                "docker" => "docker",
                "cri-containerd" => "containerd",
                "crio" => "cri-o",
                "libpod" => "podman",
                _ => string.Empty,
            };
            if (runtime.Length > 0)
            {
                fullId = name[(colon + 1)..].ToString();
                return true;
            }
        }

        if (component.EndsWith(".scope", StringComparison.Ordinal) && name.StartsWith("machine-", StringComparison.Ordinal) && name.Length > "machine-".Length)
        {
            fullId = UnescapeSystemd(name["machine-".Length..]);
            runtime = "systemd-nspawn";
            return true;
        }

        if (IsFullId(name))
        {
            if (previous.SequenceEqual("docker"))
            {
                fullId = name.ToString();
                runtime = "docker";
                return true;
            }

            if (underKubepods)
            {
                fullId = name.ToString();
                runtime = "containerd";
                return true;
            }
        }

        return false;
    }

    private static bool TryPrefixed(ReadOnlySpan<char> name, string prefix, out string fullId)
    {
        if (name.StartsWith(prefix, StringComparison.Ordinal) && IsFullId(name[prefix.Length..]))
        {
            fullId = name[prefix.Length..].ToString();
            return true;
        }

        fullId = Host;
        return false;
    }

    private static bool IsFullId(ReadOnlySpan<char> s)
    {
        if (s.Length != FullIdLength)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Undoes systemd's unit-name escaping (<c>\x2d</c> for '-' and so on).</summary>
    private static string UnescapeSystemd(ReadOnlySpan<char> s)
    {
        if (!s.Contains('\\'))
        {
            return s.ToString();
        }

        var sb = new System.Text.StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && s[i + 1] == 'x'
                && byte.TryParse(s.Slice(i + 2, 2), System.Globalization.NumberStyles.HexNumber, null, out byte b))
            {
                sb.Append((char)b);
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return sb.ToString();
    }
}
