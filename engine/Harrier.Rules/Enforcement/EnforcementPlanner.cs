using System.Globalization;
using System.Net;
using Harrier.Events;
using Harrier.Rules.Conditions;
using Harrier.Rules.Diagnostics;
using Harrier.Rules.Fields;

namespace Harrier.Rules.Enforcement;

/// <summary>
/// Compiles the resolved condition of a deny/kill rule (macros spliced, lists expanded) into kernel policy terms
/// (<see cref="KernelPolicyTerm"/>) that together match exactly what the condition matches, or says why it cannot.
/// <para>The condition is brought into disjunctive normal form; each conjunction must consist only of
/// <c>evt.type</c> (= / in), one object (<c>fd.name</c> = / in / startswith "dir/" / pmatch for open and unlink;
/// <c>proc.exepath</c> for execve; <c>fd.sip|rip|snet|rnet</c> and <c>fd.sport|rport</c> for connect;
/// <c>fd.sip|lip|snet|lnet</c> and <c>fd.sport|lport</c> for bind) and at most one qualifier the maps can hold
/// (<c>user.uid</c> alone, <c>container.id</c> alone or on a network term), plus <c>evt.dir = &lt;</c>. Anything else
/// (negations, exceptions, other fields, globs, transformers) would make the kernel deny more than the rule says,
/// so the rule is refused with the offending field named. Pure; thread-safe.</para>
/// </summary>
public static class EnforcementPlanner
{
    /// <summary>Most alternatives a condition may expand to.</summary>
    public const int MaxTerms = 256;

    private const int MaxPathLength = 4095;

    private static readonly EventType[] ExecFamily = [EventType.Execve, EventType.Execveat];
    private static readonly EventType[] OpenFamily = [EventType.Open, EventType.Openat, EventType.Openat2, EventType.Creat];
    private static readonly EventType[] UnlinkFamily = [EventType.Unlink, EventType.Unlinkat, EventType.Rmdir];

    /// <summary>Plans one compiled rule. Rules whose action is not deny or kill get a plan with a reason.</summary>
    public static EnforcementPlan Plan(CompiledRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Resolved is null)
        {
            return Refused(rule.Name, rule.Action, rule.Location, "the resolved condition is not available", null);
        }

        return Plan(rule.Name, rule.Action, rule.Resolved, rule.EventTypes, rule.Location);
    }

    /// <summary>Plans every deny/kill rule of a set, in load order.</summary>
    public static IReadOnlyList<EnforcementPlan> PlanAll(CompiledRuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return rules.Rules.Where(r => r.Action is RuleAction.Deny or RuleAction.Kill).Select(Plan).ToList();
    }

    internal static EnforcementPlan Plan(string name, RuleAction action, Node resolved, IReadOnlyCollection<EventType> ruleTypes, SourceLocation location)
    {
        if (action is not (RuleAction.Deny or RuleAction.Kill))
        {
            return Refused(name, action, location, $"action is {action.ToString().ToLowerInvariant()}, not deny or kill", null);
        }

        try
        {
            var dnf = Dnf(resolved);
            if (dnf.Count == 0)
            {
                throw new Refusal("the condition never matches", null);
            }

            var terms = new List<KernelPolicyTerm>();
            var notes = new List<string>();
            foreach (var conj in dnf)
            {
                foreach (var t in Conjunction(conj, ruleTypes, notes))
                {
                    if (!terms.Contains(t))
                    {
                        terms.Add(t);
                    }

                    if (terms.Count > MaxTerms)
                    {
                        throw new Refusal($"the condition expands to more than {MaxTerms} kernel entries", null);
                    }
                }
            }

            if (terms.Count == 0)
            {
                throw new Refusal("the condition never matches an operation the kernel can refuse", null);
            }

            // One kernel entry per object: alternatives on the same object (open here, unlink there) share it.
            var merged = terms
                .GroupBy(t => (t.Kind, t.Value, t.Port, t.ContainerId))
                .Select(g => g.First() with { Operations = g.Aggregate(KernelOperations.None, (o, t) => o | t.Operations) })
                .ToList();
            return new EnforcementPlan { RuleName = name, Action = action, Location = location, Terms = merged, Notes = notes.Distinct(StringComparer.Ordinal).ToList() };
        }
        catch (Refusal r)
        {
            return Refused(name, action, location, r.Message, r.Field);
        }
    }

    private static EnforcementPlan Refused(string name, RuleAction action, SourceLocation location, string reason, string? field) =>
        new() { RuleName = name, Action = action, Location = location, Reason = reason, Field = field };

    // ---- disjunctive normal form

    private static List<List<CheckNode>> Dnf(Node n)
    {
        switch (n)
        {
            case ConstNode c:
                return c.Value ? [[]] : [];
            case OrNode o:
            {
                var all = new List<List<CheckNode>>();
                foreach (var child in o.Children)
                {
                    all.AddRange(Dnf(child));
                    Cap(all.Count);
                }

                return all;
            }

            case AndNode a:
            {
                List<List<CheckNode>> acc = [[]];
                foreach (var child in a.Children)
                {
                    var right = Dnf(child);
                    Cap((long)acc.Count * right.Count);
                    var next = new List<List<CheckNode>>(acc.Count * right.Count);
                    foreach (var l in acc)
                    {
                        foreach (var r in right)
                        {
                            next.Add([.. l, .. r]);
                        }
                    }

                    acc = next;
                }

                return acc;
            }

            case NotNode x:
            {
                var field = FirstField(x.Child);
                throw new Refusal($"the condition excludes cases with 'not' (an exception or negation){(field is null ? string.Empty : $" on {field}")}: kernel policy entries cannot express exclusions", field);
            }

            case CheckNode c:
                if (c.Left is not FieldOperand f)
                {
                    throw new Refusal("a transformer on the left of a comparison cannot be evaluated in the kernel", null);
                }

                if (f.Name == "evt.dir" && c.Modifier is null && c.Op is "=" or "==" && c.Right is LiteralOperand d)
                {
                    // Harrier captures exit events only: evt.dir is always '<'.
                    return d.Value == "<" ? [[]] : [];
                }

                return [[c]];
            case IdentNode id:
                throw new Refusal($"unresolved macro '{id.Name}'", null);
            default:
                throw new Refusal($"unsupported condition node {n.GetType().Name}", null);
        }
    }

    private static void Cap(long count)
    {
        if (count > MaxTerms)
        {
            throw new Refusal($"the condition expands to more than {MaxTerms} alternatives", null);
        }
    }

    private static string? FirstField(Node n) => n switch
    {
        CheckNode { Left: FieldOperand f } => f.Display,
        AndNode a => a.Children.Select(FirstField).FirstOrDefault(x => x is not null),
        OrNode o => o.Children.Select(FirstField).FirstOrDefault(x => x is not null),
        NotNode x => FirstField(x.Child),
        _ => null,
    };

    // ---- one conjunction

    private sealed class Facts
    {
        public HashSet<EventType>? Types;
        public HashSet<string>? Paths; // fd.name exact
        public HashSet<string>? Prefixes; // fd.name directory subtrees
        public string? PathField;
        public HashSet<string>? ExePaths;
        public HashSet<string>? ExePrefixes;
        public string? ExeField;
        public Dictionary<string, List<IpNet>> Nets = new(StringComparer.Ordinal); // role -> networks (intersected later)
        public Dictionary<string, HashSet<ushort>> Ports = new(StringComparer.Ordinal); // role -> ports
        public HashSet<uint>? Uids;
        public HashSet<string>? Containers;
        public bool StartsWith;
    }

    private static IEnumerable<KernelPolicyTerm> Conjunction(List<CheckNode> atoms, IReadOnlyCollection<EventType> ruleTypes, List<string> notes)
    {
        var facts = new Facts();
        foreach (var atom in atoms)
        {
            if (!Absorb(facts, atom))
            {
                return []; // contradictory: this alternative never matches
            }
        }

        var types = facts.Types ?? [.. ruleTypes];
        if (types.Count == 0)
        {
            return [];
        }

        bool exec = false, open = false, unlink = false, connect = false, bind = false;
        foreach (var t in types)
        {
            if (ExecFamily.Contains(t)) exec = true;
            else if (OpenFamily.Contains(t)) open = true;
            else if (UnlinkFamily.Contains(t)) unlink = true;
            else if (t == EventType.Connect) connect = true;
            else if (t == EventType.Bind) bind = true;
            else
            {
                throw new Refusal($"evt.type {EventTypes.Name(t)} has no kernel enforcement hook (only execve/execveat, open/openat/openat2/creat, unlink/unlinkat/rmdir, connect, bind)", "evt.type");
            }
        }

        NoteFamily(types, ExecFamily, exec, "bprm_check_security", notes);
        NoteFamily(types, OpenFamily, open, "file_open", notes);
        NoteFamily(types, UnlinkFamily, unlink, "inode_unlink/inode_rmdir", notes);

        int families = (exec ? 1 : 0) + (open || unlink ? 1 : 0) + (connect || bind ? 1 : 0);
        if (families > 1)
        {
            throw new Refusal("evt.type mixes process, file and network events in one alternative: one kernel object cannot stand for all of them", "evt.type");
        }

        bool hasPath = facts.Paths is not null || facts.Prefixes is not null;
        bool hasExe = facts.ExePaths is not null || facts.ExePrefixes is not null;
        bool hasNet = facts.Nets.Count > 0 || facts.Ports.Count > 0;
        bool hasObject = hasPath || hasExe || hasNet;
        if (hasPath && !(open || unlink))
        {
            throw new Refusal($"{facts.PathField} is only a kernel object for open and unlink events", facts.PathField);
        }

        if (hasExe && !exec)
        {
            throw new Refusal($"{facts.ExeField} on events other than execve/execveat names the calling process, which the policy maps cannot qualify", facts.ExeField);
        }

        if (hasNet && !(connect || bind))
        {
            var f = facts.Nets.Keys.Concat(facts.Ports.Keys).First();
            throw new Refusal($"network fields apply to connect and bind only", f);
        }

        if (facts.Uids is not null && (hasObject || facts.Containers is not null))
        {
            throw new Refusal("user.uid together with a path, address or container: the uid policy map denies operations to a uid as a whole and cannot qualify other entries", "user.uid");
        }

        if (facts.Containers is not null && (hasPath || hasExe))
        {
            throw new Refusal("container.id together with a path: file policy entries cannot be qualified by container", "container.id");
        }

        var ops = (exec ? KernelOperations.Exec : 0) | (open ? KernelOperations.Open : 0) | (unlink ? KernelOperations.Unlink : 0)
            | (connect ? KernelOperations.Connect : 0) | (bind ? KernelOperations.Bind : 0);
        var result = new List<KernelPolicyTerm>();
        if (hasPath || hasExe)
        {
            if (facts.Paths is not null && facts.Prefixes is not null || facts.ExePaths is not null && facts.ExePrefixes is not null)
            {
                throw new Refusal("an exact path and a prefix on the same field in one alternative", hasPath ? facts.PathField : facts.ExeField);
            }

            var exact = (hasPath ? facts.Paths : facts.ExePaths) ?? [];
            var prefixes = (hasPath ? facts.Prefixes : facts.ExePrefixes) ?? [];
            foreach (var p in exact.Order(StringComparer.Ordinal))
            {
                result.Add(new KernelPolicyTerm(exec ? KernelTermKind.ExecPath : KernelTermKind.FilePath, p, ops));
            }

            foreach (var p in prefixes.Order(StringComparer.Ordinal))
            {
                result.Add(new KernelPolicyTerm(KernelTermKind.FilePrefix, p, ops));
            }

            notes.Add("file policies are keyed by inode (symlinks followed when the entry is written): every name of the file (hard links, bind mounts) is covered, and a file replaced after start-up keeps the old entry until the rules are reloaded");
            if (prefixes.Count > 0)
            {
                notes.Add("a prefix covers the directory's subtree on its own filesystem only (not filesystems mounted below it)");
                if (facts.StartsWith)
                {
                    notes.Add("startswith 'dir/' does not match the directory itself, but the subtree entry also refuses it (pmatch matches both)");
                }
            }

            return result;
        }

        if (hasNet)
        {
            foreach (var (family, op, kind) in new[] { (connect, KernelOperations.Connect, KernelTermKind.ConnectCidr), (bind, KernelOperations.Bind, KernelTermKind.BindCidr) })
            {
                if (!family)
                {
                    continue;
                }

                var nets = NetworksFor(facts, op == KernelOperations.Connect);
                var ports = PortsFor(facts, op == KernelOperations.Connect);
                if (nets is null && ports is null)
                {
                    throw new Refusal($"no address or port field applies to {(op == KernelOperations.Connect ? "connect" : "bind")}", null);
                }

                nets ??= [new IpNet(false, UInt128.Zero, 0), new IpNet(true, UInt128.Zero, 0)];
                foreach (var n in nets)
                {
                    foreach (var port in ports ?? [(ushort)0])
                    {
                        result.Add(new KernelPolicyTerm(kind, FormatNet(n), op) { Port = port, ContainerId = Single(facts.Containers) });
                    }
                }
            }

            if (facts.Containers is { Count: > 1 })
            {
                result = result.SelectMany(t => facts.Containers.Order(StringComparer.Ordinal).Select(c => t with { ContainerId = c })).ToList();
            }

            if (connect)
            {
                notes.Add("cgroup connect programs (used when BPF LSM is unavailable) also refuse unconnected UDP sends to the address");
            }

            return result;
        }

        if (facts.Uids is not null)
        {
            return facts.Uids.Order().Select(u => new KernelPolicyTerm(KernelTermKind.Uid, u.ToString(CultureInfo.InvariantCulture), ops)).ToList();
        }

        if (facts.Containers is not null)
        {
            return facts.Containers.Order(StringComparer.Ordinal).Select(c => new KernelPolicyTerm(KernelTermKind.Cgroup, c, ops)).ToList();
        }

        throw new Refusal($"the condition names no path, address, uid or container beside evt.type: refusing to deny every {FormatOps(ops)} in the kernel", "evt.type");
    }

    private static string? Single(HashSet<string>? set) => set is { Count: 1 } ? set.First() : null;

    private static void NoteFamily(HashSet<EventType> types, EventType[] family, bool present, string hook, List<string> notes)
    {
        if (!present)
        {
            return;
        }

        var missing = family.Where(t => !types.Contains(t)).Select(EventTypes.Name).ToList();
        if (missing.Count > 0)
        {
            notes.Add($"the {hook} hook also refuses {string.Join(", ", missing)} on the same object");
        }
    }

    private static string FormatOps(KernelOperations ops) => string.Join('/', Enum.GetValues<KernelOperations>().Where(o => o != 0 && (ops & o) != 0).Select(o => o.ToString().ToLowerInvariant()));

    /// <summary>Adds one atom to the facts; false when the conjunction became contradictory.</summary>
    private static bool Absorb(Facts facts, CheckNode c)
    {
        var f = (FieldOperand)c.Left;
        string field = f.Display;
        if (c.Modifier is not null)
        {
            throw new Refusal($"list modifier '{c.Modifier}' on {field} cannot be evaluated in the kernel", field);
        }

        if (f.Arg is not null)
        {
            throw new Refusal($"{field} cannot be evaluated in the kernel", field);
        }

        switch (f.Name)
        {
            case "evt.type":
            {
                var set = new HashSet<EventType>();
                foreach (var v in Values(c, field, allowIn: true))
                {
                    if (EventTypes.TryParse(v, out var t))
                    {
                        set.Add(t);
                    }
                }

                facts.Types = facts.Types is null ? set : [.. facts.Types.Intersect(set)];
                return facts.Types.Count > 0;
            }

            case "fd.name":
            {
                facts.PathField ??= field;
                if (c.Op is "startswith" or "pmatch")
                {
                    facts.StartsWith |= c.Op == "startswith";
                    var prefixes = c.Op == "pmatch" ? Values(c, field, allowIn: true).Select(v => PmatchPrefix(v, field)).ToHashSet(StringComparer.Ordinal) : [StartswithPrefix(Values(c, field, false).Single(), field)];
                    facts.Prefixes = Intersect(facts.Prefixes, prefixes);
                    return facts.Prefixes.Count > 0;
                }

                var paths = Values(c, field, allowIn: true).Select(v => CheckPath(v, field)).ToHashSet(StringComparer.Ordinal);
                facts.Paths = Intersect(facts.Paths, paths);
                return facts.Paths.Count > 0;
            }

            case "proc.exepath":
            {
                facts.ExeField ??= field;
                if (c.Op is "startswith" or "pmatch")
                {
                    facts.StartsWith |= c.Op == "startswith";
                    var prefixes = c.Op == "pmatch" ? Values(c, field, allowIn: true).Select(v => PmatchPrefix(v, field)).ToHashSet(StringComparer.Ordinal) : [StartswithPrefix(Values(c, field, false).Single(), field)];
                    facts.ExePrefixes = Intersect(facts.ExePrefixes, prefixes);
                    return facts.ExePrefixes.Count > 0;
                }

                var paths = Values(c, field, allowIn: true).Select(v => CheckPath(v, field)).ToHashSet(StringComparer.Ordinal);
                facts.ExePaths = Intersect(facts.ExePaths, paths);
                return facts.ExePaths.Count > 0;
            }

            case "fd.sip" or "fd.rip" or "fd.lip" or "fd.snet" or "fd.rnet" or "fd.lnet":
            {
                bool isNet = f.Name.EndsWith("net", StringComparison.Ordinal);
                var nets = new List<IpNet>();
                foreach (var v in Values(c, field, allowIn: true))
                {
                    if (!IpNet.TryParse(v, out var n) || (!isNet && v.Contains('/', StringComparison.Ordinal)))
                    {
                        throw new Refusal($"'{v}' is not {(isNet ? "a network" : "an IP address")} ({field})", field);
                    }

                    nets.Add(n);
                }

                string role = f.Name[3..4]; // s, r, l
                if (facts.Nets.TryGetValue(role, out var prev))
                {
                    nets = IntersectNets(prev, nets);
                }

                facts.Nets[role] = nets;
                return nets.Count > 0;
            }

            case "fd.sport" or "fd.rport" or "fd.lport":
            {
                var ports = new HashSet<ushort>();
                foreach (var v in Values(c, field, allowIn: true))
                {
                    if (!ushort.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p == 0)
                    {
                        throw new Refusal($"'{v}' is not a port 1-65535 ({field})", field);
                    }

                    ports.Add(p);
                }

                string role = f.Name[3..4];
                facts.Ports[role] = facts.Ports.TryGetValue(role, out var prev) ? [.. prev.Intersect(ports)] : ports;
                return facts.Ports[role].Count > 0;
            }

            case "user.uid":
            {
                var uids = new HashSet<uint>();
                foreach (var v in Values(c, field, allowIn: true))
                {
                    if (!uint.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var u) || u == uint.MaxValue)
                    {
                        throw new Refusal($"'{v}' is not a uid ({field})", field);
                    }

                    uids.Add(u);
                }

                facts.Uids = facts.Uids is null ? uids : [.. facts.Uids.Intersect(uids)];
                return facts.Uids.Count > 0;
            }

            case "container.id":
            {
                var ids = new HashSet<string>(StringComparer.Ordinal);
                foreach (var v in Values(c, field, allowIn: true))
                {
                    if (v == "host" || v.Length == 0 || v.Length > 64 || !v.All(char.IsAsciiHexDigitLower))
                    {
                        throw new Refusal($"container.id '{v}' does not name one container cgroup", field);
                    }

                    ids.Add(v);
                }

                facts.Containers = Intersect(facts.Containers, ids);
                return facts.Containers.Count > 0;
            }

            default:
                throw new Refusal($"{field} cannot be evaluated in the kernel", field);
        }
    }

    private static HashSet<string> Intersect(HashSet<string>? a, HashSet<string> b) => a is null ? b : [.. a.Intersect(b, StringComparer.Ordinal)];

    /// <summary>The literal values of <c>= v</c> (or <c>in (a, b)</c> when allowed); anything else is refused.</summary>
    private static List<string> Values(CheckNode c, string field, bool allowIn)
    {
        switch (c.Op)
        {
            case "=" or "==" or "startswith" when c.Right is LiteralOperand l:
                return [l.Value];
            case "in" or "pmatch" when allowIn && c.Right is ListOperand list:
                if (list.Items.Count == 0)
                {
                    return [];
                }

                return list.Items.Select(i => i.Value).ToList();
            case "=" or "==" or "in" or "pmatch" or "startswith":
                throw new Refusal($"{field} {c.Op} compares against something other than literal values", field);
            default:
                throw new Refusal($"operator '{c.Op}' on {field} cannot be evaluated in the kernel", field);
        }
    }

    private static string CheckPath(string v, string field)
    {
        if (v.Length == 0 || v[0] != '/' || v.Length > MaxPathLength || v.Contains('\0', StringComparison.Ordinal)
            || v.Contains("//", StringComparison.Ordinal) || v.Contains("/./", StringComparison.Ordinal) || v.Contains("/../", StringComparison.Ordinal)
            || v.EndsWith("/.", StringComparison.Ordinal) || v.EndsWith("/..", StringComparison.Ordinal) || (v.Length > 1 && v[^1] == '/'))
        {
            throw new Refusal($"'{Clip(v)}' is not a normalised absolute path ({field})", field);
        }

        return v;
    }

    /// <summary><c>startswith "/etc/ssh/"</c>: the subtree of /etc/ssh, which needs the trailing slash to stop at a name boundary.</summary>
    private static string StartswithPrefix(string v, string field)
    {
        if (v == "/")
        {
            return "/";
        }

        if (!v.EndsWith('/'))
        {
            throw new Refusal($"{field} startswith '{Clip(v)}' does not end at a directory boundary (it also matches '{Clip(v)}x'): use a trailing '/' or pmatch", field);
        }

        return CheckPath(v[..^1], field);
    }

    /// <summary><c>pmatch (/etc/ssh)</c>: the directory and its subtree, exactly what a subtree entry covers.</summary>
    private static string PmatchPrefix(string v, string field) => v == "/" ? "/" : CheckPath(v.Length > 1 ? v.TrimEnd('/') : v, field);

    private static string Clip(string v) => v.Length <= 64 ? v : v[..64] + "...";

    private static List<IpNet>? NetworksFor(Facts facts, bool connect)
    {
        // connect: the server is the remote side; bind: the server is the local side.
        List<IpNet>? result = null;
        foreach (var (role, nets) in facts.Nets)
        {
            bool applies = role == "s" || (connect ? role == "r" : role == "l");
            if (!applies)
            {
                throw new Refusal($"fd.{(role == "r" ? "r" : "l")}ip/fd.{role}net names the {(connect ? "local" : "remote")} side of a {(connect ? "connect" : "bind")}, which the kernel entries do not key on", $"fd.{role}ip");
            }

            result = result is null ? nets : IntersectNets(result, nets);
        }

        return result;
    }

    private static HashSet<ushort>? PortsFor(Facts facts, bool connect)
    {
        HashSet<ushort>? result = null;
        foreach (var (role, ports) in facts.Ports)
        {
            bool applies = role == "s" || (connect ? role == "r" : role == "l");
            if (!applies)
            {
                throw new Refusal($"fd.{role}port names the {(connect ? "local" : "remote")} port of a {(connect ? "connect" : "bind")}, which the kernel entries do not key on", $"fd.{role}port");
            }

            result = result is null ? ports : [.. result.Intersect(ports)];
        }

        return result;
    }

    /// <summary>Pairwise intersection of two network lists (CIDRs either nest or are disjoint).</summary>
    private static List<IpNet> IntersectNets(List<IpNet> a, List<IpNet> b)
    {
        var result = new List<IpNet>();
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                if (Within(x, y) && !result.Contains(x))
                {
                    result.Add(x);
                }
                else if (Within(y, x) && !result.Contains(y))
                {
                    result.Add(y);
                }
            }
        }

        return result;
    }

    /// <summary>True when network <paramref name="inner"/> lies inside <paramref name="outer"/>.</summary>
    private static bool Within(IpNet inner, IpNet outer)
    {
        if (inner.V6 != outer.V6 || inner.PrefixBits < outer.PrefixBits)
        {
            return false;
        }

        int width = inner.V6 ? 128 : 32;
        if (outer.PrefixBits == 0)
        {
            return true;
        }

        UInt128 all = width == 128 ? UInt128.MaxValue : (UInt128)uint.MaxValue;
        UInt128 mask = (all << (width - outer.PrefixBits)) & all;
        return (inner.Network & mask) == outer.Network;
    }

    private static string FormatNet(IpNet n)
    {
        int len = n.V6 ? 16 : 4;
        var bytes = new byte[len];
        for (int i = 0; i < len; i++)
        {
            bytes[i] = (byte)(n.Network >> (8 * (len - 1 - i)));
        }

        return $"{new IPAddress(bytes)}/{n.PrefixBits}";
    }

    private sealed class Refusal(string message, string? field) : Exception(message)
    {
        public string? Field { get; } = field;
    }
}
