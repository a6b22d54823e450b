using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Harrier.Events;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// Turns <see cref="EnforcementPolicy"/> records into map entries (<see cref="PolicyEntry"/>), validating every
/// policy and reporting every error of the list at once. Paths are resolved to (dev, inode) through the resolver,
/// so a file policy names the file that exists at compile time. Pure apart from the resolver; thread-safe.
/// </summary>
public static class PolicyCompiler
{
    /// <summary>Resolves a path to the identity the kernel sees, or returns an error text.</summary>
    public delegate PolicyFileIdentity? PathResolver(string path, out string? error);

    /// <summary>
    /// The default resolver: stat(2) of the path as the host sees it (through <c>/proc/1/root</c> when Harrier runs in a
    /// mount namespace of its own, e.g. under systemd's PrivateTmp).
    /// </summary>
    public static PolicyFileIdentity? StatResolver(string path, out string? error)
    {
        var id = PolicyFileIdentity.Resolve(path, out int errno, HostMountNamespace.HostRoot());
        error = id is null ? $"stat failed: errno {errno} ({new System.ComponentModel.Win32Exception(errno).Message})" : null;
        return id;
    }

    // struct policy_entry flags and actions (policy_maps.h).
    private const byte FlagMonitor = 1;
    private const byte FlagSubtree = 2;
    private const byte ActionDeny = 1;
    private const byte ActionKill = 2;

    /// <summary>Compiles all policies. Entries are returned only when <paramref name="errors"/> is empty.</summary>
    public static IReadOnlyList<PolicyEntry> Compile(IReadOnlyList<EnforcementPolicy> policies, PathResolver resolver, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(resolver);
        var errs = new List<string>();
        var entries = new List<PolicyEntry>(policies.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < policies.Count; i++)
        {
            var p = policies[i];
            string where = $"policy #{i} ({(p is null ? "null" : PolicyKinds.Name(p.Kind) + " '" + p.Value + "'")})";
            if (p is null)
            {
                errs.Add($"{where}: is null");
                continue;
            }
            int before = errs.Count;
            var entry = CompileOne(p, resolver, where, errs);
            if (entry is null || errs.Count != before)
            {
                continue;
            }
            string dedup = entry.Table + ":" + Convert.ToHexString(entry.Key);
            if (seen.TryGetValue(dedup, out int first))
            {
                errs.Add($"{where}: same kernel key as policy #{first} (one entry per file, network, uid or cgroup)");
                continue;
            }
            seen[dedup] = i;
            entries.Add(entry);
        }
        errors = errs;
        return errs.Count == 0 ? entries : Array.Empty<PolicyEntry>();
    }

    private static PolicyEntry? CompileOne(EnforcementPolicy p, PathResolver resolver, string where, List<string> errs)
    {
        if (p.RuleId == 0)
        {
            errs.Add($"{where}: rule id must be > 0 (0 is reserved for self-protection)");
        }
        if (p.Action is not (RuleAction.Deny or RuleAction.Kill))
        {
            errs.Add($"{where}: action must be deny or kill, not {p.Action.ToString().ToLowerInvariant()}");
        }
        if (string.IsNullOrWhiteSpace(p.Value))
        {
            errs.Add($"{where}: value is empty");
            return null;
        }
        var (defaults, allowed) = p.Kind switch
        {
            PolicyKind.ExecPath => (PolicyOperations.Exec, PolicyOperations.Exec | PolicyOperations.FileAll),
            PolicyKind.FilePath or PolicyKind.FilePrefix => (PolicyOperations.FileAll, PolicyOperations.Exec | PolicyOperations.FileAll),
            PolicyKind.ConnectCidr => (PolicyOperations.Connect, PolicyOperations.Connect | PolicyOperations.Bind),
            PolicyKind.BindCidr => (PolicyOperations.Bind, PolicyOperations.Connect | PolicyOperations.Bind),
            PolicyKind.Uid or PolicyKind.Cgroup => (PolicyOperations.None, (PolicyOperations)0x3ff),
            _ => (PolicyOperations.None, PolicyOperations.None),
        };
        if (allowed == PolicyOperations.None)
        {
            errs.Add($"{where}: unknown kind {(int)p.Kind}");
            return null;
        }
        var ops = p.Operations == PolicyOperations.None ? defaults : p.Operations;
        if (ops == PolicyOperations.None)
        {
            errs.Add($"{where}: {PolicyKinds.Name(p.Kind)} policies must list their operations (e.g. exec,connect)");
        }
        else if ((ops & ~allowed) != 0)
        {
            errs.Add($"{where}: operations '{PolicyKinds.FormatOperations(ops & ~allowed)}' do not apply to {PolicyKinds.Name(p.Kind)}");
        }

        byte flags = (byte)(p.Monitor ? FlagMonitor : 0);
        byte[] key;
        PolicyTable table;
        switch (p.Kind)
        {
            case PolicyKind.ExecPath:
            case PolicyKind.FilePath:
            case PolicyKind.FilePrefix:
            {
                if (!p.Value.StartsWith('/'))
                {
                    errs.Add($"{where}: path must be absolute");
                    return null;
                }
                var id = resolver(p.Value, out string? err);
                if (id is not { } fid)
                {
                    errs.Add($"{where}: cannot resolve '{p.Value}': {err} (BPF LSM file policies are keyed by inode: the file must exist)");
                    return null;
                }
                if (p.Kind == PolicyKind.FilePrefix)
                {
                    if (!fid.IsDirectory)
                    {
                        errs.Add($"{where}: file-prefix needs a directory");
                        return null;
                    }
                    flags |= FlagSubtree;
                }
                else if (p.Kind == PolicyKind.ExecPath && fid.IsDirectory)
                {
                    errs.Add($"{where}: exec-path names a directory (use file-prefix with operations exec)");
                    return null;
                }
                table = PolicyTable.Inode;
                key = new byte[16];
                BinaryPrimitives.WriteUInt64LittleEndian(key, fid.Ino);
                BinaryPrimitives.WriteUInt32LittleEndian(key.AsSpan(8), fid.Dev);
                break;
            }
            case PolicyKind.ConnectCidr:
            case PolicyKind.BindCidr:
            {
                if (!TryParseNet(p.Value, out key, out string? err))
                {
                    errs.Add($"{where}: {err}");
                    return null;
                }
                table = PolicyTable.Net;
                break;
            }
            case PolicyKind.Uid:
            {
                uint uid;
                if (p.Value.Trim() == "*")
                {
                    uid = uint.MaxValue;
                }
                else if (!uint.TryParse(p.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uid) || uid == uint.MaxValue)
                {
                    errs.Add($"{where}: uid must be a number below 4294967295 or '*'");
                    return null;
                }
                table = PolicyTable.Uid;
                key = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(key, uid);
                break;
            }
            case PolicyKind.Cgroup:
            {
                ulong cg;
                if (p.Value.StartsWith('/'))
                {
                    var id = resolver(p.Value, out string? err);
                    if (id is not { IsDirectory: true } cid)
                    {
                        errs.Add($"{where}: cgroup path must be an existing cgroup v2 directory{(err is null ? string.Empty : ": " + err)}");
                        return null;
                    }
                    cg = cid.Ino; // cgroup v2 id == the cgroup directory's kernfs inode number
                }
                else if (!ulong.TryParse(p.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out cg) || cg == 0)
                {
                    errs.Add($"{where}: cgroup must be a cgroup v2 id (> 0) or an absolute cgroup directory path");
                    return null;
                }
                table = PolicyTable.Cgroup;
                key = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(key, cg);
                break;
            }
            default:
                return null;
        }

        var value = new byte[PolicyEntry.ValueSize];
        BinaryPrimitives.WriteUInt32LittleEndian(value, p.RuleId);
        BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(4), (ushort)ops);
        value[6] = p.Action == RuleAction.Kill ? ActionKill : ActionDeny;
        value[7] = flags;
        return new PolicyEntry(table, key, value, p);
    }

    /// <summary>
    /// Parses <c>CIDR[:port]</c> (IPv6 with a port in brackets: <c>[2001:db8::/32]:443</c>) into a net_key:
    /// prefixlen (24 + address bits), family, port (big endian, 0 = any), address (masked to the prefix).
    /// </summary>
    public static bool TryParseNet(string text, out byte[] key, out string? error)
    {
        key = Array.Empty<byte>();
        error = null;
        string s = text.Trim();
        string cidr = s;
        string? portText = null;
        if (s.StartsWith('['))
        {
            int close = s.IndexOf(']');
            if (close < 0)
            {
                error = $"'{text}': missing ']'";
                return false;
            }
            cidr = s[1..close];
            string rest = s[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                {
                    error = $"'{text}': expected ':port' after ']'";
                    return false;
                }
                portText = rest[1..];
            }
        }
        else if (s.Count(c => c == ':') == 1)
        {
            int colon = s.IndexOf(':');
            cidr = s[..colon];
            portText = s[(colon + 1)..];
        }

        ushort port = 0;
        if (portText is not null && (!ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port == 0))
        {
            error = $"'{text}': port must be 1-65535";
            return false;
        }

        string addrText = cidr;
        int? prefix = null;
        int slash = cidr.IndexOf('/');
        if (slash >= 0)
        {
            addrText = cidr[..slash];
            if (!int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int pl))
            {
                error = $"'{text}': bad prefix length";
                return false;
            }
            prefix = pl;
        }
        if (!IPAddress.TryParse(addrText, out var addr) || addr.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6) || addrText.Contains('%'))
        {
            error = $"'{text}': not an IPv4 or IPv6 address/CIDR";
            return false;
        }
        if (addr.IsIPv4MappedToIPv6)
        {
            addr = addr.MapToIPv4();
            if (prefix is { } mp)
            {
                prefix = mp - 96;
            }
        }
        byte[] bytes = addr.GetAddressBytes();
        int bits = bytes.Length * 8;
        int plen = prefix ?? bits;
        if (plen < 0 || plen > bits)
        {
            error = $"'{text}': prefix length must be 0-{bits}";
            return false;
        }
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(plen - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - keep));
        }

        key = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(key, (uint)(24 + plen));
        key[4] = (byte)(bytes.Length == 4 ? 2 : 10);
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(5), port);
        bytes.CopyTo(key, 7);
        return true;
    }
}
