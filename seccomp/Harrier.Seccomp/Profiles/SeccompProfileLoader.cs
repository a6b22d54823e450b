using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Harrier.Seccomp.Profiles;

/// <summary>
/// Reads Harrier's YAML seccomp profile format:
/// <code>
/// defaultAction: allow            # allow|errno|kill|kill_process|log|trace|notify|trap
/// defaultErrno: EPERM             # optional, for an errno default
/// architectures: [x86_64]         # optional; only x86_64
/// syscalls:
///   - names: [mkdir, mkdirat]
///     action: errno
///     errno: EPERM                # name or 1..4095; default EPERM
/// </code>
/// Every problem in a file is collected and reported at once as <c>file:line:column: message</c> in a
/// <see cref="SeccompProfileException"/>: unknown keys, unknown syscall names, bad actions and errnos, a syscall
/// listed twice. Stateless and thread-safe.
/// </summary>
public static class SeccompProfileLoader
{
    /// <summary>Profiles larger than this are refused before parsing.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>More syscall names than this in one profile are refused (alias bombs, garbage).</summary>
    public const int MaxNames = 20_000;

    private static readonly string[] RootKeys = ["defaultAction", "defaultErrno", "architectures", "syscalls"];
    private static readonly string[] RuleKeys = ["names", "action", "errno", "comment"];

    /// <summary>Loads and validates a profile file. Throws <see cref="SeccompProfileException"/> for any I/O or validation problem.</summary>
    public static SeccompProfile LoadFile(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new SeccompProfileException($"{path}: profile not found");
            }

            if (info.Length > MaxFileBytes)
            {
                throw new SeccompProfileException($"{path}: profile is {info.Length} bytes, larger than the {MaxFileBytes} byte limit");
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SeccompProfileException($"{path}: cannot read profile: {e.Message}");
        }

        return Parse(text, path);
    }

    /// <summary>Parses and validates profile text; <paramref name="source"/> names it in messages.</summary>
    public static SeccompProfile Parse(string yaml, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        if (yaml.Length > MaxFileBytes)
        {
            throw new SeccompProfileException($"{source}: profile is larger than the {MaxFileBytes} byte limit");
        }

        if (NestingProblem(yaml) is { } nesting)
        {
            throw new SeccompProfileException($"{source}:{nesting}");
        }

        var stream = LoadYaml(yaml, source);

        var errors = new List<string>();
        if (stream.Documents.Count != 1)
        {
            throw new SeccompProfileException($"{source}: expected exactly one YAML document, found {stream.Documents.Count}");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SeccompProfileException($"{At(source, stream.Documents[0].RootNode)}: the profile must be a mapping with defaultAction and syscalls");
        }

        CheckKeys(root, RootKeys, source, "profile", errors);

        SeccompAction defaultAction = SeccompAction.Allow;
        var defaultNode = Child(root, "defaultAction");
        if (defaultNode is null)
        {
            errors.Add($"{At(source, root)}: defaultAction is required");
        }
        else if (!TryScalar(defaultNode, out var da) || !SeccompActions.TryParse(da, out defaultAction))
        {
            errors.Add($"{At(source, defaultNode)}: defaultAction '{Describe(defaultNode)}' is not one of allow, errno, kill, kill_process, log, trace, notify, trap");
        }

        int? defaultErrno = ParseErrno(Child(root, "defaultErrno"), defaultAction, "defaultErrno", "defaultAction", source, errors);

        var architectures = new List<string>();
        var archNode = Child(root, "architectures");
        if (archNode is not null)
        {
            if (archNode is not YamlSequenceNode archSeq)
            {
                errors.Add($"{At(source, archNode)}: architectures must be a list");
            }
            else
            {
                foreach (var a in archSeq)
                {
                    if (!TryScalar(a, out var name) || NormalizeArchitecture(name) is not { } arch)
                    {
                        errors.Add($"{At(source, a)}: architecture '{Describe(a)}' is not supported (only x86_64; i386 and x32 calls are always killed)");
                    }
                    else if (!architectures.Contains(arch))
                    {
                        architectures.Add(arch);
                    }
                }
            }
        }

        if (architectures.Count == 0)
        {
            architectures.Add("x86_64");
        }

        var rules = new List<SeccompRule>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int totalNames = 0;
        var syscallsNode = Child(root, "syscalls");
        if (syscallsNode is YamlSequenceNode seq)
        {
            foreach (var item in seq)
            {
                if (item is not YamlMappingNode entry)
                {
                    errors.Add($"{At(source, item)}: each syscalls entry must be a mapping with names and action");
                    continue;
                }

                CheckKeys(entry, RuleKeys, source, "syscalls entry", errors);
                int line = (int)entry.Start.Line;
                var names = new List<string>();
                var namesNode = Child(entry, "names");
                if (namesNode is not YamlSequenceNode namesSeq || namesSeq.Children.Count == 0)
                {
                    errors.Add($"{At(source, namesNode ?? entry)}: names must be a non-empty list of syscall names");
                }
                else
                {
                    foreach (var n in namesSeq)
                    {
                        if (++totalNames > MaxNames)
                        {
                            throw new SeccompProfileException(errors.Append($"{At(source, n)}: more than {MaxNames} syscall names").ToList());
                        }

                        if (!TryScalar(n, out var name) || name.Length == 0)
                        {
                            errors.Add($"{At(source, n)}: a syscall name must be a plain string");
                            continue;
                        }

                        if (!SyscallTable.TryGetNumber(name, out _))
                        {
                            errors.Add($"{At(source, n)}: unknown syscall '{Printable(name)}' (not in the x86_64 table){Suggest(name)}");
                            continue;
                        }

                        if (seen.TryGetValue(name, out int firstLine))
                        {
                            errors.Add($"{At(source, n)}: syscall '{name}' is already listed at line {firstLine}");
                            continue;
                        }

                        seen[name] = (int)n.Start.Line;
                        names.Add(name);
                    }
                }

                SeccompAction action = SeccompAction.Allow;
                var actionNode = Child(entry, "action");
                bool actionOk = true;
                if (actionNode is null)
                {
                    errors.Add($"{At(source, entry)}: action is required");
                    actionOk = false;
                }
                else if (!TryScalar(actionNode, out var at) || !SeccompActions.TryParse(at, out action))
                {
                    errors.Add($"{At(source, actionNode)}: action '{Describe(actionNode)}' is not one of allow, errno, kill, kill_process, log, trace, notify, trap");
                    actionOk = false;
                }

                int? errno = actionOk ? ParseErrno(Child(entry, "errno"), action, "errno", "action", source, errors) : null;
                if (names.Count > 0 && actionOk)
                {
                    rules.Add(new SeccompRule { Names = names, Action = action, Errno = errno, Line = line });
                }
            }
        }
        else if (syscallsNode is not null && !(syscallsNode is YamlScalarNode { Value: null or "" or "~" or "null" }))
        {
            errors.Add($"{At(source, syscallsNode)}: syscalls must be a list");
        }

        if (errors.Count > 0)
        {
            throw new SeccompProfileException(errors);
        }

        return new SeccompProfile
        {
            DefaultAction = defaultAction,
            DefaultErrno = defaultErrno,
            Architectures = architectures,
            Syscalls = rules,
            Source = source,
        };
    }

    /// <summary>Flow collections nested deeper than this are refused before parsing (YamlDotNet recurses per level).</summary>
    public const int MaxFlowDepth = 64;

    /// <summary>
    /// Parses on a thread with a large stack: YamlDotNet's scanner and parser recurse once per nesting level,
    /// and block nesting (<c>- - - - x</c>, deep indentation) cannot be bounded cheaply up front; a stack overflow
    /// would kill the process. 256 MiB of reserved (not committed) stack covers the deepest input the size limit allows.
    /// </summary>
    private static YamlStream LoadYaml(string yaml, string source)
    {
        YamlStream? stream = null;
        Exception? error = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    var s = new YamlStream();
                    s.Load(new StringReader(yaml));
                    stream = s;
                }
                catch (Exception e)
                {
                    error = e;
                }
            },
            256 * 1024 * 1024)
        {
            Name = "harrier-yaml",
            IsBackground = true,
        };
        thread.Start();
        thread.Join();
        return error switch
        {
            null => stream!,
            YamlException e => throw new SeccompProfileException($"{source}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {e.InnerException?.Message ?? e.Message}"),
            ArgumentException or InvalidOperationException => throw new SeccompProfileException($"{source}: invalid YAML: {error.Message}"),
            _ => throw new SeccompProfileException($"{source}: cannot parse: {error.Message}"),
        };
    }

    /// <summary>Lines indented deeper than this are refused (bounds block nesting).</summary>
    public const int MaxIndent = 1000;

    /// <summary>More compact block indicators (<c>- </c>, <c>? </c>, <c>: </c>) than this at the start of one line are refused.</summary>
    public const int MaxCompactIndicators = 32;

    /// <summary>
    /// Bounds every way YAML nests before YamlDotNet (which recurses per level) sees the text: flow brackets
    /// (quotes ignored: a false alarm needs 64 brackets inside a string), indentation, and compact indicators.
    /// Returns <c>line: message</c> or null.
    /// </summary>
    private static string? NestingProblem(string text)
    {
        int depth = 0, line = 1, column = 0, indicators = 0;
        bool leading = true;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n')
            {
                line++;
                column = 0;
                indicators = 0;
                leading = true;
                continue;
            }

            column++;
            if (c is '[' or '{')
            {
                if (++depth > MaxFlowDepth)
                {
                    return $"{line}: '[' / '{{' nested deeper than {MaxFlowDepth} levels";
                }
            }
            else if (c is ']' or '}' && depth > 0)
            {
                depth--;
            }

            if (!leading)
            {
                continue;
            }

            if (c == ' ')
            {
                if (column > MaxIndent)
                {
                    return $"{line}: indented deeper than {MaxIndent} columns";
                }
            }
            else if (c is '-' or '?' or ':' && i + 1 < text.Length && text[i + 1] is ' ' or '\n')
            {
                if (++indicators > MaxCompactIndicators)
                {
                    return $"{line}: more than {MaxCompactIndicators} nested '- ' / '? ' / ': ' indicators on one line";
                }
            }
            else
            {
                leading = false;
            }
        }

        return null;
    }

    /// <summary>Maps <c>x86_64</c>, <c>amd64</c> and <c>SCMP_ARCH_X86_64</c> to <c>x86_64</c>; null for anything else.</summary>
    internal static string? NormalizeArchitecture(string name) => name.Trim() switch
    {
        "x86_64" or "amd64" or "SCMP_ARCH_X86_64" => "x86_64",
        _ => null,
    };

    private static int? ParseErrno(YamlNode? node, SeccompAction action, string key, string actionKey, string source, List<string> errors)
    {
        if (node is null)
        {
            return action == SeccompAction.Errno ? 1 : action == SeccompAction.Trace ? 0 : null;
        }

        if (!SeccompActions.TakesErrno(action))
        {
            errors.Add($"{At(source, node)}: {key} is only allowed with {actionKey} errno or trace, not {SeccompActions.Name(action)}");
            return null;
        }

        if (action == SeccompAction.Trace)
        {
            if (TryScalar(node, out var data) && ushort.TryParse(data, NumberStyles.None, CultureInfo.InvariantCulture, out ushort msg))
            {
                return msg;
            }

            errors.Add($"{At(source, node)}: {key} for trace is the tracer's message, a number in 0..65535, not '{Describe(node)}'");
            return null;
        }

        if (!TryScalar(node, out var text) || !ErrnoTable.TryParse(text, out int errno))
        {
            errors.Add($"{At(source, node)}: {key} '{Describe(node)}' is not an errno name (EPERM...) or a number in 1..{ErrnoTable.MaxErrno}");
            return null;
        }

        return errno;
    }

    private static void CheckKeys(YamlMappingNode map, string[] allowed, string source, string what, List<string> errors)
    {
        foreach (var (k, _) in map.Children)
        {
            if (!TryScalar(k, out var key) || Array.IndexOf(allowed, key) < 0)
            {
                errors.Add($"{At(source, k)}: unknown {what} field '{Describe(k)}' (expected one of {string.Join(", ", allowed)})");
            }
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                return v;
            }
        }

        return null;
    }

    private static bool TryScalar(YamlNode node, out string value)
    {
        if (node is YamlScalarNode { Value: { } v })
        {
            value = v;
            return true;
        }

        value = string.Empty;
        return false;
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => Printable(s.Value ?? string.Empty),
        YamlSequenceNode => "<list>",
        YamlMappingNode => "<mapping>",
        _ => "<alias>",
    };

    private static string Printable(string s)
    {
        if (s.Length > 64)
        {
            s = s[..64] + "...";
        }

        return string.Create(s.Length, s, static (span, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                span[i] = char.IsControl(src[i]) ? '?' : src[i];
            }
        });
    }

    private static string At(string source, YamlNode node) =>
        string.Create(CultureInfo.InvariantCulture, $"{source}:{node.Start.Line}:{node.Start.Column}");

    private static string Suggest(string name)
    {
        if (name.Length > 64)
        {
            return string.Empty;
        }

        string? best = null;
        int bestDistance = 3;
        foreach (var (candidate, _) in SyscallTable.All)
        {
            int d = Distance(name, candidate, bestDistance);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        return best is null ? string.Empty : $"; did you mean '{best}'?";
    }

    private static int Distance(string a, string b, int cap)
    {
        if (Math.Abs(a.Length - b.Length) >= cap)
        {
            return cap;
        }

        Span<int> prev = stackalloc int[b.Length + 1];
        Span<int> cur = stackalloc int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
            }

            cur.CopyTo(prev);
        }

        return prev[b.Length];
    }
}
