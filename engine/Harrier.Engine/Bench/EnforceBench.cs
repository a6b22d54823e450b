using System.Globalization;
using System.Text.Json;
using Harrier.Interop;

namespace Harrier.Engine.Bench;

/// <summary>
/// <c>harrier bench enforce [--json] [--seconds N] [--kills N] [--only PATHS]</c>: what enforcement costs the workload and how fast the
/// user-space kill is, measured on the running kernel. For each available path the same loop runs with and without
/// the mechanism in alternating rounds within one run (see <see cref="EnforceBenchRounds"/>): cgroup/connect4
/// (<see cref="EnforceBenchCgroup"/>), a seccomp profile (<see cref="EnforceBenchSeccomp"/>), BPF LSM open/exec/connect
/// where the kernel loads it (<see cref="EnforceBenchLsm"/>); then the capture-to-kill latency of the pipeline's kill
/// verdict (<see cref="EnforceBenchKill"/>). Targets: LSM and cgroup ≤ 100 ns per hooked operation, seccomp ≤ 50 ns per
/// syscall, kill p99 ≤ 10 ms. Prints numbers; a path that cannot run is reported (its keys null plus a reason), not
/// fatal. Exit codes: 0 done (even when a target is missed), 1 nothing could be measured or not root, 2 usage.
/// <para>JSON (<c>--json</c>, one object): <c>cgroup_connect_ns_added</c>, <c>seccomp_ns_per_syscall_added</c>,
/// <c>lsm_open_ns_added</c>, <c>lsm_exec_ns_added</c>, <c>lsm_connect_ns_added</c> (null, with <c>lsm_unavailable</c> =
/// the kernel's reason, when BPF LSM cannot load), <c>kill_latency_p50_ms</c>, <c>kill_latency_p99_ms</c>; raw
/// <c>*_ns_per_op_with</c>/<c>_without</c> (<c>seccomp_ns_per_syscall_with</c>/<c>_without</c>) and <c>*_ratio</c> per path;
/// <c>cgroup_tcp_connect_*</c>, <c>cgroup_null_program_ns_added</c> (kernel fixed cost of any connect4 program),
/// <c>cgroup_harrier_logic_ns_added</c> (Harrier's programs over the do-nothing one),
/// <c>cgroup_deny_verified</c>, <c>seccomp_profile</c>, <c>seccomp_allow_all_*</c>, <c>kill_latency_max_ms</c>,
/// <c>kill_victims</c>, <c>kill_victims_killed</c>, <c>kill_alerts</c>, <c>kill_events_lost</c>,
/// <c>*_target_met</c> (null when unmeasured; LSM judged on open and connect, exec being fork+exec noise),
/// <c>*_error</c> when a path failed, <c>load_average_before</c>/<c>_after</c>. "ns" are thread CPU ns per call except
/// the LSM exec loop (wall time).</para>
/// </summary>
internal static class EnforceBench
{
    private const string UsageText = "usage: harrier bench enforce [--json] [--seconds N (1-600, per path, default 4)] [--kills N (10-10000, default 200)] [--only cgroup,seccomp,lsm,kill]";
    private const int RoundMs = 100;
    private static readonly string[] Paths = ["cgroup", "seccomp", "lsm", "kill"];
    private const double CgroupTargetNs = 100;
    private const double LsmTargetNs = 100;
    private const double SeccompTargetNs = 50;
    private const double KillTargetMs = 10;

    /// <summary>Runs the benchmark and writes the report to <paramref name="o"/>.</summary>
    public static int Run(string[] args, TextWriter o)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(o);
        int seconds = 4;
        int kills = 200;
        bool json = false;
        var only = new HashSet<string>(StringComparer.Ordinal) { "cgroup", "seccomp", "lsm", "kill" };
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out seconds) && seconds is > 0 and <= 600:
                    i++;
                    break;
                case "--kills" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out kills) && kills is >= 10 and <= 10_000:
                    i++;
                    break;
                case "--only" when i + 1 < args.Length && args[i + 1].Split(',').All(Paths.Contains):
                    only = [.. args[++i].Split(',')];
                    break;
                case "--json":
                    json = true;
                    break;
                default:
                    o.WriteLine(UsageText);
                    return 2;
            }
        }

        if (Posix.geteuid() != 0)
        {
            o.WriteLine("bench enforce: needs root (loads cgroup/LSM programs, moves itself between cgroups, kills victims)");
            return 1;
        }

        string loadBefore = LoadAverage();
        const string Skipped = "skipped (--only)";
        var cgroup = only.Contains("cgroup") ? EnforceBenchCgroup.Measure(seconds, RoundMs) : new EnforceBenchCgroup.Result(null, null, false, Skipped);
        var seccomp = only.Contains("seccomp") ? EnforceBenchSeccomp.Measure(seconds, RoundMs) : new EnforceBenchSeccomp.Result(null, null, null, Skipped);
        var lsm = only.Contains("lsm") ? EnforceBenchLsm.Measure(seconds, RoundMs) : new EnforceBenchLsm.Result(null, null, null, null, Skipped);
        var kill = only.Contains("kill") ? EnforceBenchKill.Measure(kills, TimeSpan.FromSeconds(2)) : new EnforceBenchKill.Result([], 0, 0, 0, 0, 0, Skipped);
        string loadAfter = LoadAverage();

        var report = Report(cgroup, seccomp, lsm, kill, seconds, loadBefore, loadAfter);
        if (json)
        {
            o.WriteLine(JsonSerializer.Serialize(report));
        }
        else
        {
            WriteText(o, cgroup, seccomp, lsm, kill, loadBefore, loadAfter);
        }

        bool anything = cgroup.UdpConnect is not null || seccomp.Profile is not null || lsm.Open is not null || kill.LatenciesMs.Count > 0;
        return anything ? 0 : 1;
    }

    /// <summary>The JSON object (key order = the contract's order; null values for unmeasured paths).</summary>
    internal static Dictionary<string, object?> Report(
        EnforceBenchCgroup.Result cgroup, EnforceBenchSeccomp.Result seccomp, EnforceBenchLsm.Result lsm, EnforceBenchKill.Result kill, int seconds, string loadBefore, string loadAfter)
    {
        static double? J(double v, int digits = 1) => EnforceBenchMath.ForJson(v, digits);
        double p50 = EnforceBenchMath.Percentile(kill.LatenciesMs, 50);
        double p99 = EnforceBenchMath.Percentile(kill.LatenciesMs, 99);
        var r = new Dictionary<string, object?>
        {
            ["cgroup_connect_ns_added"] = J(cgroup.UdpConnect?.NsAdded ?? double.NaN),
            ["seccomp_ns_per_syscall_added"] = J(seccomp.Profile?.NsAdded ?? double.NaN),
            ["lsm_open_ns_added"] = J(lsm.Open?.NsAdded ?? double.NaN),
            ["lsm_exec_ns_added"] = J(lsm.Exec?.NsAdded ?? double.NaN),
            ["lsm_connect_ns_added"] = J(lsm.Connect?.NsAdded ?? double.NaN),
            ["kill_latency_p50_ms"] = J(p50, 3),
            ["kill_latency_p99_ms"] = J(p99, 3),
        };
        if (lsm.Unavailable is not null)
        {
            r["lsm_unavailable"] = lsm.Unavailable;
        }

        void Raw(string prefix, EnforceBenchComparison? c, string unit)
        {
            r[$"{prefix}_{unit}_with"] = J(c?.NsWith ?? double.NaN);
            r[$"{prefix}_{unit}_without"] = J(c?.NsWithout ?? double.NaN);
            r[$"{prefix}_ratio"] = J(c?.Ratio ?? double.NaN, 4);
        }

        Raw("cgroup_connect", cgroup.UdpConnect, "ns_per_op");
        r["cgroup_tcp_connect_ns_added"] = J(cgroup.TcpConnect?.NsAdded ?? double.NaN);
        Raw("cgroup_tcp_connect", cgroup.TcpConnect, "ns_per_op");
        r["cgroup_deny_verified"] = cgroup.DenyVerified;
        r["cgroup_null_program_ns_added"] = J(cgroup.NullProgram?.NsAdded ?? double.NaN);
        r["cgroup_harrier_logic_ns_added"] = J(cgroup.HarrierLogic?.NsAdded ?? double.NaN);
        r["cgroup_rounds"] = cgroup.UdpConnect?.Rounds;
        Raw("seccomp", seccomp.Profile, "ns_per_syscall");
        r["seccomp_profile"] = seccomp.ProfileName;
        r["seccomp_allow_all_ns_per_syscall_added"] = J(seccomp.AllowAll?.NsAdded ?? double.NaN);
        r["seccomp_allow_all_ns_per_syscall"] = J(seccomp.AllowAll?.NsWith ?? double.NaN);
        r["seccomp_rounds"] = seccomp.Profile?.Rounds;
        Raw("lsm_open", lsm.Open, "ns_per_op");
        Raw("lsm_exec", lsm.Exec, "ns_per_op");
        Raw("lsm_connect", lsm.Connect, "ns_per_op");
        r["lsm_deny_verified"] = lsm.Open is null ? null : lsm.DenyVerified;
        r["kill_latency_max_ms"] = J(kill.LatenciesMs.Count > 0 ? kill.LatenciesMs.Max() : double.NaN, 3);
        r["kill_victims"] = kill.Victims;
        r["kill_victims_killed"] = kill.Died;
        r["kill_alerts"] = kill.Alerts;
        r["kill_events_lost"] = kill.EngineLost;
        r["kill_engine_events"] = kill.EngineEvents;
        r["cgroup_target_met"] = Met(cgroup.UdpConnect?.NsAdded, CgroupTargetNs);
        r["seccomp_target_met"] = Met(seccomp.Profile?.NsAdded, SeccompTargetNs);
        r["lsm_target_met"] = lsm.Open is null ? null : Met(Math.Max(lsm.Open.NsAdded, lsm.Connect?.NsAdded ?? double.NaN), LsmTargetNs);
        r["kill_target_met"] = kill.LatenciesMs.Count == 0 ? null : p99 <= KillTargetMs && kill.Died == kill.Victims;
        foreach (var (key, error) in new[] { ("cgroup_error", cgroup.Error), ("cgroup_null_program_error", cgroup.NullProgramError), ("seccomp_error", seccomp.Error), ("lsm_error", lsm.Error), ("kill_error", kill.Error) })
        {
            if (error is not null)
            {
                r[key] = error;
            }
        }

        r["seconds_per_path"] = seconds;
        r["cpus"] = Environment.ProcessorCount;
        r["load_average_before"] = loadBefore;
        r["load_average_after"] = loadAfter;
        return r;
    }

    private static bool? Met(double? added, double target) => added is { } a && double.IsFinite(a) ? a <= target : null;

    private static void WriteText(TextWriter o, EnforceBenchCgroup.Result cgroup, EnforceBenchSeccomp.Result seccomp, EnforceBenchLsm.Result lsm, EnforceBenchKill.Result kill, string loadBefore, string loadAfter)
    {
        var c = CultureInfo.InvariantCulture;
        void Line(string what, EnforceBenchComparison? cmp, string unit, double target, string? error)
        {
            o.WriteLine(cmp is null
                ? $"{what}: not measured: {error}"
                : string.Create(c, $"{what}: {cmp.NsAdded:+0.0;-0.0} ns {unit} added (with {cmp.NsWith:F1} ns, without {cmp.NsWithout:F1} ns, ratio {cmp.Ratio:F3}, {cmp.Rounds} rounds; target <= {target} ns: {(cmp.NsAdded <= target ? "met" : "MISSED")})"));
        }

        o.WriteLine($"bench enforce: load average {loadBefore} before, {loadAfter} after ({Environment.ProcessorCount} CPUs)");
        Line("cgroup connect4 (UDP connect)", cgroup.UdpConnect, "per connect", CgroupTargetNs, cgroup.Error);
        Line("cgroup connect4 (TCP socket+connect+close)", cgroup.TcpConnect, "per connect", CgroupTargetNs, cgroup.Error);
        if (cgroup.UdpConnect is not null)
        {
            o.WriteLine($"cgroup: denied destination refused with EPERM while attached: {(cgroup.DenyVerified ? "yes" : "NO")}");
            o.WriteLine(cgroup.NullProgram is { } n
                ? string.Create(c, $"cgroup: of that, a do-nothing connect4 program (kernel fixed cost: socket lock, dispatch) adds {n.NsAdded:+0.0;-0.0} ns; Harrier's program logic over it {cgroup.HarrierLogic?.NsAdded ?? double.NaN:+0.0;-0.0} ns")
                : $"cgroup: do-nothing program not measured: {cgroup.NullProgramError}");
        }

        Line($"seccomp {seccomp.ProfileName ?? "profile"}", seccomp.Profile, "per syscall", SeccompTargetNs, seccomp.Error);
        Line("seccomp allow-all", seccomp.AllowAll, "per syscall", SeccompTargetNs, seccomp.Error);
        if (lsm.Unavailable is not null)
        {
            o.WriteLine($"lsm: unavailable: {lsm.Unavailable}");
        }
        else
        {
            Line("lsm file_open (open+close)", lsm.Open, "per open", LsmTargetNs, lsm.Error);
            Line("lsm bprm_check (fork+exec /bin/true)", lsm.Exec, "per exec", LsmTargetNs, lsm.Error);
            Line("lsm socket_connect (UDP connect)", lsm.Connect, "per connect", LsmTargetNs, lsm.Error);
            if (lsm.Open is not null)
            {
                o.WriteLine($"lsm: protected file refused while loaded: {(lsm.DenyVerified ? "yes" : "NO")} (phased rounds: without, with, without; added = difference of medians)");
            }
        }

        if (kill.LatenciesMs.Count == 0)
        {
            o.WriteLine($"kill: not measured: {kill.Error ?? "no victim was killed by Harrier"} ({kill.Died}/{kill.Victims} victims)");
        }
        else
        {
            double p99 = EnforceBenchMath.Percentile(kill.LatenciesMs, 99);
            o.WriteLine(string.Create(c, $"kill (capture -> kill(2), user space): p50 {EnforceBenchMath.Percentile(kill.LatenciesMs, 50):F3} ms, p99 {p99:F3} ms, max {kill.LatenciesMs.Max():F3} ms; {kill.Died}/{kill.Victims} victims killed by Harrier, {kill.Alerts} alerts, {kill.EngineLost} events lost; target p99 <= {KillTargetMs} ms: {(p99 <= KillTargetMs && kill.Died == kill.Victims ? "met" : "MISSED")}"));
        }
    }

    private static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return parts.Length >= 3 ? $"{parts[0]} {parts[1]} {parts[2]}" : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
