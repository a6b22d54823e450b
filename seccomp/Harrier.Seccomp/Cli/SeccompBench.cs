using System.Diagnostics;
using System.Globalization;
using Harrier.Events;
using Harrier.Seccomp.Filters;
using Harrier.Seccomp.Notify;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Cli;

/// <summary>
/// <c>harrier seccomp bench [CALLS]</c>: measures what a profile costs the workload. A bash loop opens
/// /dev/null CALLS times under (1) an allow-all filter, (2) a filter with ~80 deny entries and (3) a filter that notifies
/// openat, answered by the supervisor; prints the time per loop iteration and the notification overhead
/// per call. Also times the compiler. Prints numbers only; no pass/fail.
/// </summary>
internal static class SeccompBench
{
    public static int Run(string[] args, TextWriter o, TextWriter err)
    {
        int calls = 20_000;
        if (args.Length > 0 && (!int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out calls) || calls < 100 || calls > 10_000_000))
        {
            err.WriteLine("harrier seccomp bench: CALLS must be a number in 100..10000000");
            return 2;
        }

        var dir = Directory.CreateTempSubdirectory("harrier-seccomp-bench-");
        try
        {
            string Write(string name, string yaml)
            {
                var p = Path.Combine(dir.FullName, name);
                File.WriteAllText(p, yaml);
                return p;
            }

            // Every other syscall from 300 up is denied (none of which bash's loop needs): ~160 ranges to search.
            var keep = new HashSet<string>(StringComparer.Ordinal) { "prlimit64", "getrandom", "statx", "rseq", "clone3", "faccessat2", "pipe2", "close_range", "openat2", "execveat", "pidfd_open", "newfstatat" };
            var big = "defaultAction: allow\nsyscalls:\n" + string.Concat(SyscallTable.All.Where(e => e.Nr >= 300 && e.Nr % 2 == 1 && !keep.Contains(e.Name))
                .Select(e => $"  - names: [{e.Name}]\n    action: errno\n"));
            var allow = Write("allow.yaml", "defaultAction: allow\n");
            var large = Write("large.yaml", big);
            var notify = Write("notify.yaml", "defaultAction: allow\nsyscalls:\n  - names: [openat]\n    action: notify\n");

            const int Compiles = 500;
            var profile = SeccompProfileLoader.LoadFile(large);
            int insns = SeccompFilterCompiler.Compile(profile).Instructions.Length; // warm-up (JIT)
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < Compiles; i++)
            {
                insns = SeccompFilterCompiler.Compile(profile).Instructions.Length;
            }

            double compileUs = sw.Elapsed.TotalMicroseconds / Compiles;
            string script = $"for ((i=0;i<{calls};i++)); do : </dev/null; done";
            long notified = 0;
            SeccompDecision Count(HarrierEvent _)
            {
                Interlocked.Increment(ref notified);
                return SeccompDecision.Continue;
            }

            // Best of three runs: the loop is short and the machine may be busy.
            double Time(string profilePath, Func<HarrierEvent, SeccompDecision>? decide)
            {
                double best = double.MaxValue;
                for (int run = 0; run < 3; run++)
                {
                    var t = Stopwatch.StartNew();
                    int code = ExecCommand.Run(["--profile", profilePath, "--", "bash", "-c", script], TextWriter.Null, err, decide ?? Count);
                    if (code != 0)
                    {
                        throw new InvalidOperationException($"the benchmark workload exited with {code}");
                    }

                    best = Math.Min(best, t.Elapsed.TotalMicroseconds / calls);
                }

                return best;
            }

            Time(allow, null); // warm-up
            double baseUs = Time(allow, null);
            double largeUs = Time(large, null);
            notified = 0;
            double notifyUs = Time(notify, Count);
            notified /= 3;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seccomp compile: {profile.Syscalls.Count} entries -> {insns} BPF instructions in {compileUs:F1} us"));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loop iteration (open /dev/null), {calls} iterations, best of 3 runs:"));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allow-all filter:           {baseUs,8:F2} us"));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {profile.Syscalls.Count}-entry filter:        {largeUs,8:F2} us  ({largeUs - baseUs:+0.00;-0.00} us)"));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  openat notified:            {notifyUs,8:F2} us  ({notifyUs - baseUs:+0.00;-0.00} us per notification, {notified} notifications)"));
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or SeccompProfileException or IOException)
        {
            err.WriteLine($"harrier seccomp bench: {e.Message}");
            return 1;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
