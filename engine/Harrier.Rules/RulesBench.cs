using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Harrier.Events;

namespace Harrier.Rules;

/// <summary>
/// <c>harrier bench rules [--json] [--events N] [--rules DIR] [--falco FILE]</c>: replays a synthetic mix of
/// open/exec/connect events (0.1 % of them attacks) through (a) the default rules, (b) Falco's stable rules when found,
/// and (c) 1000 generated rules, on the calling thread, in batches of 1000. Prints events/s, allocated bytes per event
/// and compile time per rule set. Exit 0, or 2 on usage errors.
/// </summary>
public static class RulesBench
{
    private const int BatchSize = 1000;

    public static int Run(string[] args, TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(o);
        bool json = false;
        int events = 1_000_000;
        string? rulesDir = null, falco = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json": json = true; break;
                case "--events" when i + 1 < args.Length && int.TryParse(args[i + 1], out events) && events > 0: i++; break;
                case "--rules" when i + 1 < args.Length: rulesDir = args[++i]; break;
                case "--falco" when i + 1 < args.Length: falco = args[++i]; break;
                default:
                    o.WriteLine("usage: harrier bench rules [--json] [--events N] [--rules DIR] [--falco FILE]");
                    return 2;
            }
        }

        rulesDir ??= FindUp(Path.Combine("rules", "default")) ?? RulesCommands.DefaultRulesPath;
        falco ??= FindUp(Path.Combine("shared", "falco-rules", "falco_rules.yaml"));
        var results = new List<Dictionary<string, object?>>();

        var sets = new List<(string Name, Func<RuleLoadOptions, RuleLoadResult> Load)>
        {
            ("default", o => RuleLoader.Load(new[] { rulesDir }, o)),
        };
        if (falco is not null)
        {
            sets.Add(("falco_stable", o => RuleLoader.Load(new[] { falco }, o)));
        }

        sets.Add(("generated_1000", o => RuleLoader.LoadText(GeneratedRules(1000), "generated.yaml", o)));
        foreach (var (name, load) in sets)
        {
            var r = Measure(name, load(new RuleLoadOptions { WarnUnused = false }), events);
            var raw = Measure(name, load(new RuleLoadOptions { WarnUnused = false, PreMatch = false }), Math.Max(BatchSize, events / 10));
            r["nrules_only_events_per_sec"] = raw.GetValueOrDefault("events_per_sec");
            r["nrules_only_alloc_bytes_per_event"] = raw.GetValueOrDefault("alloc_bytes_per_event");
            results.Add(r);
        }

        if (json)
        {
            o.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            foreach (var r in results)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r["rule_set"],-16} rules={r["rules"],5}  compile_ms={r["compile_ms"],8:F1} (nrules {r["nrules_build_ms"],7:F1})  events={r["events"]}  events_per_sec={r["events_per_sec"],12:F0}  alloc_bytes_per_event={r["alloc_bytes_per_event"],8:F1}  matches={r["matches"]}  (nrules only: {r["nrules_only_events_per_sec"],10:F0} ev/s, {r["nrules_only_alloc_bytes_per_event"],7:F1} B/ev)"));
            }
        }

        return 0;
    }

    private static string? FindUp(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, relative);
                if (File.Exists(p) || Directory.Exists(p))
                {
                    return p;
                }
            }
        }

        return null;
    }

    private static Dictionary<string, object?> Measure(string name, RuleLoadResult load, int count)
    {
        var result = new Dictionary<string, object?> { ["rule_set"] = name };
        if (!load.Success)
        {
            result["error"] = load.Errors.Count > 0 ? load.Errors[0].ToString() : "load failed";
            return result;
        }

        var set = load.RuleSet!;
        var pool = Synthetic(20 * BatchSize);
        var evaluator = set.CreateEvaluator();
        var matches = new List<RuleMatch>();

        // warm-up (JIT, NRules node memories)
        for (int i = 0; i < 20; i++)
        {
            evaluator.Evaluate(pool.AsSpan((i % 20) * BatchSize, BatchSize), matches);
        }

        matches.Clear();
        GC.Collect();
        long alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        int done = 0, b = 0;
        while (done < count)
        {
            int n = Math.Min(BatchSize, count - done);
            evaluator.Evaluate(pool.AsSpan((b % 20) * BatchSize, n), matches);
            done += n;
            b++;
            if (matches.Count > 10_000)
            {
                matches.Clear();
            }
        }

        sw.Stop();
        long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        result["rules"] = set.Rules.Count;
        result["compile_ms"] = set.CompileTime.TotalMilliseconds;
        result["nrules_build_ms"] = set.EngineBuildTime.TotalMilliseconds;
        result["events"] = count;
        result["events_per_sec"] = count / sw.Elapsed.TotalSeconds;
        result["alloc_bytes_per_event"] = (double)alloc / count;
        result["matches"] = matches.Count;
        result["evaluated_after_type_filter"] = evaluator.EventsEvaluated;
        result["inserted_into_nrules"] = evaluator.EventsInserted;
        return result;
    }

    /// <summary>A mix of 60 % opens, 30 % execs and 10 % connects with realistic values; 1 in 1000 is an attack.</summary>
    internal static HarrierEvent[] Synthetic(int n)
    {
        var rnd = new Random(42);
        var systemd = new ProcessInfo { Pid = 1, Name = "systemd", Exe = "/sbin/init", ExePath = "/usr/lib/systemd/systemd", UserName = "root" };
        string[] daemons = { "nginx", "postgres", "java", "node", "sshd", "cron", "containerd", "dockerd" };
        string[] tools = { "ls", "cat", "grep", "sed", "awk", "git", "make", "gcc", "python3", "curl" };
        string[] paths =
        {
            "/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/ld.so.cache", "/proc/self/status", "/var/lib/postgresql/15/main/base/16384/2619",
            "/home/alice/project/src/main.c", "/usr/share/zoneinfo/UTC", "/tmp/tmp.x8f2", "/var/log/nginx/access.log", "/etc/hosts",
            "/sys/fs/cgroup/memory.max", "/usr/lib/python3.11/os.py", "/dev/null", "/run/containerd/containerd.sock",
        };
        var parents = daemons.Select((d, i) => new ProcessInfo { Pid = 100 + i, Ppid = 1, Name = d, Exe = d, ExePath = "/usr/sbin/" + d, Parent = systemd, UserName = "svc", Uid = 100 }).ToArray();
        var events = new HarrierEvent[n];
        for (int i = 0; i < n; i++)
        {
            var parent = parents[rnd.Next(parents.Length)];
            var tool = tools[rnd.Next(tools.Length)];
            var p = new ProcessInfo
            {
                Pid = 1000 + i, Ppid = parent.Pid, Name = tool, Exe = tool, ExePath = "/usr/bin/" + tool, Parent = parent,
                Args = new[] { "-l", paths[rnd.Next(paths.Length)] }, Uid = 1000, UserName = "alice", Cwd = "/home/alice",
            };
            bool attack = i % 1000 == 999;
            HarrierEvent e;
            int kind = rnd.Next(10);
            if (attack)
            {
                p.Name = "evil";
                p.ExePath = "/tmp/evil";
                e = new FileEvent { Type = EventType.Openat, Path = "/etc/shadow", RawPath = "/etc/shadow", Fd = 3, Res = 3 };
            }
            else if (kind < 6)
            {
                var path = paths[rnd.Next(paths.Length)];
                bool write = path.StartsWith("/tmp/", StringComparison.Ordinal) || path.StartsWith("/var/lib/", StringComparison.Ordinal);
                e = new FileEvent { Type = EventType.Openat, Path = path, RawPath = path, Flags = write ? 0x241 : 0x80000, Fd = 3, Res = 3 };
            }
            else if (kind < 9)
            {
                e = new ProcessEvent { Type = EventType.Execve, Filename = p.ExePath, ExePath = p.ExePath, Argv = new[] { tool, "-l", "/tmp" } };
            }
            else
            {
                e = new NetworkEvent
                {
                    Type = EventType.Connect, Fd = 4, Domain = 2, SockType = 1, Protocol = 6,
                    Local = SockAddress.FromIP(IPAddress.Parse("10.0.0.5"), (ushort)(30000 + rnd.Next(20000))),
                    Remote = SockAddress.FromIP(new IPAddress(new byte[] { 93, 184, (byte)rnd.Next(256), 34 }), rnd.Next(2) == 0 ? (ushort)443 : (ushort)80),
                };
            }

            e.EventId = i;
            e.TimestampNs = 1_700_000_000_000_000_000 + i * 1000L;
            e.Pid = p.Pid;
            e.Tid = p.Pid;
            e.Ppid = p.Ppid;
            e.Uid = p.Uid;
            e.Comm = p.Name;
            e.Process = p;
            events[i] = e;
        }

        return events;
    }

    /// <summary>N rules over execs, opens and connects, each matching a distinct value; rule 0 matches the synthetic attack.</summary>
    internal static string GeneratedRules(int n)
    {
        var sb = new StringBuilder();
        sb.Append("- list: gen_tools\n  items: [ls, cat, grep, sed]\n");
        for (int i = 0; i < n; i++)
        {
            string cond = i == 0 ? "evt.type = openat and fd.name = /etc/shadow and proc.name = evil" : (i % 3) switch
            {
                0 => $"evt.type = openat and fd.name startswith /opt/app{i}/ and not proc.name in (gen_tools)",
                1 => $"evt.type in (execve, execveat) and proc.name = tool{i} and proc.pname in (nginx, java)",
                _ => $"evt.type = connect and fd.sport = {10000 + i} and fd.snet != 10.0.0.0/8",
            };
            sb.Append(CultureInfo.InvariantCulture, $"- rule: generated {i}\n  desc: generated\n  condition: {cond}\n  output: gen {i} %proc.name %fd.name\n  priority: NOTICE\n");
        }

        return sb.ToString();
    }
}
