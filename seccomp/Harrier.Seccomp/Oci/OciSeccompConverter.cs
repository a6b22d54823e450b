using System.Globalization;
using System.Text;
using System.Text.Json;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Oci;

/// <summary>
/// Converts between Harrier profiles and the OCI runtime-spec / Docker seccomp JSON
/// (<c>defaultAction</c>, <c>defaultErrnoRet</c>, <c>architectures</c>, <c>syscalls[].names/action/errnoRet</c>).
/// Import is strict by default: argument filters (<c>args</c>), capability conditions (<c>includes</c>/<c>excludes</c>),
/// architectures other than x86_64, names outside the x86_64 table and repeated names are errors, all reported
/// at once. With <c>lenient</c> those entries are dropped and each drop is reported as a warning. Thread-safe.
/// </summary>
public static class OciSeccompConverter
{
    public const int MaxJsonBytes = 4 * 1024 * 1024;

    private static readonly string[] RootKeys = ["defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls", "flags", "listenerPath", "listenerMetadata"];
    private static readonly string[] EntryKeys = ["names", "name", "action", "errnoRet", "args", "includes", "excludes", "comment"];

    /// <summary>Writes the profile as indented OCI seccomp JSON.</summary>
    public static string Export(SeccompProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("defaultAction", SeccompActions.OciName(profile.DefaultAction));
            if (profile.DefaultAction == SeccompAction.Errno)
            {
                w.WriteNumber("defaultErrnoRet", profile.DefaultErrno ?? 1);
            }

            w.WriteStartArray("architectures");
            w.WriteStringValue("SCMP_ARCH_X86_64");
            w.WriteEndArray();
            w.WriteStartArray("syscalls");
            foreach (var rule in profile.Syscalls)
            {
                w.WriteStartObject();
                w.WriteStartArray("names");
                foreach (var n in rule.Names)
                {
                    w.WriteStringValue(n);
                }

                w.WriteEndArray();
                w.WriteString("action", SeccompActions.OciName(rule.Action));
                if (rule.Action == SeccompAction.Errno)
                {
                    w.WriteNumber("errnoRet", rule.Errno ?? 1);
                }
                else if (rule.Action == SeccompAction.Trace && rule.Errno is { } msg)
                {
                    // runc passes errnoRet as the trace message data.
                    w.WriteNumber("errnoRet", msg);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>Reads OCI seccomp JSON. Throws <see cref="SeccompProfileException"/> listing every problem.</summary>
    public static OciImportResult Import(string json, string source = "<memory>", bool lenient = false)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxJsonBytes)
        {
            throw new SeccompProfileException($"{source}: larger than the {MaxJsonBytes} byte limit");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SeccompProfileException($"{source}:{(e.LineNumber ?? 0) + 1}: invalid JSON: {e.Message}");
        }

        using (doc)
        {
            var errors = new List<string>();
            var warnings = new List<string>();
            void Problem(string message)
            {
                if (lenient)
                {
                    warnings.Add($"{source}: {message}; dropped");
                }
                else
                {
                    errors.Add($"{source}: {message}");
                }
            }

            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SeccompProfileException($"{source}: the seccomp JSON must be an object");
            }

            foreach (var p in root.EnumerateObject())
            {
                if (Array.IndexOf(RootKeys, p.Name) < 0)
                {
                    errors.Add($"{source}: unknown field '{p.Name}'");
                }
            }

            foreach (var ignored in new[] { "flags", "listenerPath", "listenerMetadata" })
            {
                if (root.TryGetProperty(ignored, out var v) && v.ValueKind is not JsonValueKind.Null && !(v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 0))
                {
                    warnings.Add($"{source}: '{ignored}' is not used by harrier exec (the listener is Harrier itself); ignored");
                }
            }

            SeccompAction defaultAction = SeccompAction.Allow;
            if (!root.TryGetProperty("defaultAction", out var da) || da.ValueKind != JsonValueKind.String || !SeccompActions.TryParseOci(da.GetString(), out defaultAction))
            {
                errors.Add($"{source}: defaultAction must be one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_LOG, SCMP_ACT_TRACE, SCMP_ACT_NOTIFY, SCMP_ACT_TRAP");
            }

            int? defaultErrno = ReadErrno(root, "defaultErrnoRet", defaultAction, "defaultErrnoRet", errors, source);

            if (root.TryGetProperty("architectures", out var archs) && archs.ValueKind != JsonValueKind.Null)
            {
                if (archs.ValueKind != JsonValueKind.Array)
                {
                    errors.Add($"{source}: architectures must be a list");
                }
                else
                {
                    foreach (var a in archs.EnumerateArray())
                    {
                        string name = a.ValueKind == JsonValueKind.String ? a.GetString()! : a.ToString();
                        if (SeccompProfileLoader.NormalizeArchitecture(name) is null)
                        {
                            Problem($"architecture '{name}' is not supported (Harrier filters are x86_64 only and kill i386/x32 calls)");
                        }
                    }
                }
            }

            if (root.TryGetProperty("archMap", out var archMap) && archMap.ValueKind == JsonValueKind.Array && archMap.GetArrayLength() > 0)
            {
                warnings.Add($"{source}: archMap ignored (x86_64 only)");
            }

            var rules = new List<SeccompRule>();
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("syscalls", out var syscalls) && syscalls.ValueKind != JsonValueKind.Null)
            {
                if (syscalls.ValueKind != JsonValueKind.Array)
                {
                    errors.Add($"{source}: syscalls must be a list");
                }
                else
                {
                    int i = -1;
                    foreach (var entry in syscalls.EnumerateArray())
                    {
                        i++;
                        string at = $"syscalls[{i}]";
                        if (entry.ValueKind != JsonValueKind.Object)
                        {
                            errors.Add($"{source}: {at} must be an object");
                            continue;
                        }

                        foreach (var p in entry.EnumerateObject())
                        {
                            if (Array.IndexOf(EntryKeys, p.Name) < 0)
                            {
                                errors.Add($"{source}: {at}: unknown field '{p.Name}'");
                            }
                        }

                        if (NonEmpty(entry, "args"))
                        {
                            Problem($"{at}: argument conditions (args) are not supported");
                            continue;
                        }

                        if (NonEmpty(entry, "includes") || NonEmpty(entry, "excludes"))
                        {
                            Problem($"{at}: includes/excludes conditions (capabilities, arches, kernel versions) are not supported");
                            continue;
                        }

                        if (!entry.TryGetProperty("action", out var ae) || ae.ValueKind != JsonValueKind.String || !SeccompActions.TryParseOci(ae.GetString(), out var action))
                        {
                            errors.Add($"{source}: {at}: action must be an SCMP_ACT_* name");
                            continue;
                        }

                        int? errno = ReadErrno(entry, "errnoRet", action, at + ".errnoRet", errors, source);
                        var names = new List<string>();
                        var rawNames = new List<string>();
                        if (entry.TryGetProperty("names", out var ne) && ne.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var n in ne.EnumerateArray())
                            {
                                rawNames.Add(n.ValueKind == JsonValueKind.String ? n.GetString()! : n.ToString());
                            }
                        }
                        else if (entry.TryGetProperty("name", out var single) && single.ValueKind == JsonValueKind.String)
                        {
                            rawNames.Add(single.GetString()!);
                        }

                        if (rawNames.Count == 0)
                        {
                            errors.Add($"{source}: {at}: names must be a non-empty list");
                            continue;
                        }

                        foreach (var name in rawNames)
                        {
                            if (!SyscallTable.TryGetNumber(name, out _))
                            {
                                Problem($"{at}: unknown x86_64 syscall '{name}'");
                            }
                            else if (seen.TryGetValue(name, out var first))
                            {
                                Problem($"{at}: syscall '{name}' already listed in {first}");
                            }
                            else
                            {
                                seen[name] = at;
                                names.Add(name);
                            }
                        }

                        if (names.Count > 0)
                        {
                            rules.Add(new SeccompRule { Names = names, Action = action, Errno = errno, Line = 0 });
                        }
                    }
                }
            }

            if (errors.Count > 0)
            {
                throw new SeccompProfileException(errors);
            }

            var profile = new SeccompProfile
            {
                DefaultAction = defaultAction,
                DefaultErrno = defaultErrno,
                Architectures = ["x86_64"],
                Syscalls = rules,
                Source = source,
            };
            return new OciImportResult(profile, warnings);
        }
    }

    private static bool NonEmpty(JsonElement entry, string key) =>
        entry.TryGetProperty(key, out var v) && v.ValueKind switch
        {
            JsonValueKind.Array => v.GetArrayLength() > 0,
            JsonValueKind.Object => v.EnumerateObject().Any(),
            JsonValueKind.Null => false,
            _ => true,
        };

    private static int? ReadErrno(JsonElement obj, string key, SeccompAction action, string where, List<string> errors, string source)
    {
        if (!obj.TryGetProperty(key, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return action == SeccompAction.Errno ? 1 : action == SeccompAction.Trace ? 0 : null;
        }

        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int value))
        {
            errors.Add($"{source}: {where} must be a number");
            return null;
        }

        if (action == SeccompAction.Errno && value is < 1 or > ErrnoTable.MaxErrno)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{source}: {where} {value} is outside 1..{ErrnoTable.MaxErrno}"));
            return null;
        }

        if (action == SeccompAction.Trace && value is < 0 or > ushort.MaxValue)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{source}: {where} {value} is outside 0..65535"));
            return null;
        }

        return SeccompActions.TakesErrno(action) ? value : null;
    }
}
