using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Harrier.Engine.Verdicts;
using Harrier.Events;
using Harrier.Rules;
using Harrier.Rules.Enforcement;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Engine.Enforcement;

/// <summary>
/// The end-to-end BPF LSM suite run inside the VM lane (<c>scripts/vm-test.sh</c>), or by <c>harrier selftest
/// enforce</c> on a host whose kernel has BPF LSM active. Needs root and <c>bpf</c> in /sys/kernel/security/lsm;
/// it loads the programs, pins them under its own pin root, changes files only under /tmp/harrier-vmtest, and
/// removes its pins at the end. Prints <c>vm[KERNEL] PASS|FAIL case</c> per case and <c>vm-selftest: done N</c>.
/// Not thread-safe (one run per process).
/// </summary>
public static class EnforcementSelfTest
{
    private const string WorkDir = "/tmp/harrier-vmtest";
    private const string PinRoot = "/sys/fs/bpf/harrier/selftest";
    private const string CoordinatorPinRoot = "/sys/fs/bpf/harrier/selftest-rules";
    private static readonly TimeSpan DecisionWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Entry point. <paramref name="args"/>: empty or <c>run</c> (the suite), <c>smoke</c>, or the child modes the
    /// suite starts itself with (<c>child-enforcer</c>). <paramref name="selfCommand"/> re-invokes this entry point
    /// (e.g. [the apphost path] or [harrier, selftest, enforce]). Returns 0 when every case passed.
    /// </summary>
    public static int Run(string[] args, TextWriter o, IReadOnlyList<string> selfCommand)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(o);
        string mode = args.Length > 0 ? args[0] : "run";
        o.WriteLine($"vm-selftest: runtime {Environment.Version}");
        o.Flush();
        return mode switch
        {
            "smoke" => 0,
            "child-enforcer" => ChildEnforcer(o),
            "run" or "full" => new Suite(o, selfCommand).Execute(),
            _ => Usage(o),
        };
    }

    private static int Usage(TextWriter o)
    {
        o.WriteLine("usage: selftest [run|smoke|child-enforcer]");
        return 2;
    }

    /// <summary>A second enforcer process: reuses the pins, turns self-protection on, waits for "quit" on stdin.</summary>
    private static int ChildEnforcer(TextWriter o)
    {
        using var e = LsmEnforcer.Start(new LsmEnforcerOptions { PinRoot = PinRoot, SelfProtect = true });
        o.WriteLine($"ready {Environment.ProcessId} reused={e.Reused}");
        o.Flush();
        while (Console.In.ReadLine() is { } line)
        {
            if (line.Trim() == "quit")
            {
                break;
            }
        }
        return 0;
    }

    private sealed class Suite
    {
        private readonly TextWriter _o;
        private readonly IReadOnlyList<string> _self;
        private readonly string _kernel;
        private readonly List<LsmDecision> _seen = [];
        private LsmEnforcer? _e;
        private int _passed;
        private int _failed;

        public Suite(TextWriter o, IReadOnlyList<string> self)
        {
            _o = o;
            _self = self;
            _kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown";
        }

        private string Secret => Path.Combine(WorkDir, "secret.txt");
        private string Watched => Path.Combine(WorkDir, "watched.txt");
        private string KillFile => Path.Combine(WorkDir, "kill.txt");
        private string DeniedExe => Path.Combine(WorkDir, "denied-true");
        private string ProtDir => Path.Combine(WorkDir, "protdir");

        public int Execute()
        {
            var paths = EnforcementPaths.Probe();
            Case("enforcement-paths", () =>
            {
                Require(paths.BpfLsmActive, $"bpf not in lsm list ({string.Join(',', paths.ActiveLsms)}); hint: {paths.LsmHint}");
                Require(paths.Best[EnforcementVerdict.ExecDeny] == EnforcementMechanism.BpfLsm, "exec deny should use BPF LSM");
                Require(paths.LsmHint is null, "no lsm= hint expected when active");
            });
            if (!paths.BpfLsmActive)
            {
                return Done();
            }

            Prepare();
            Case("load", () =>
            {
                _e = LsmEnforcer.Start(new LsmEnforcerOptions { PinRoot = PinRoot });
                Require(!_e.Reused, "fresh load expected");
                Require(_e.ProgramCount >= 15, $"programs {_e.ProgramCount}");
            });
            if (_e is null)
            {
                return Done();
            }

            int port = 0;
            using var listener = new TcpListener(IPAddress.Any, 0);
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;

            Case("policy-validation", () =>
            {
                var errors = _e.Apply(
                [
                    new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = "relative/path", RuleId = 1 },
                    new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "300.1.1.1/8", RuleId = 2 },
                    new EnforcementPolicy { Kind = PolicyKind.Uid, Value = "0", RuleId = 3 },
                    new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = Secret, RuleId = 0 },
                ]);
                Require(errors.Count == 4, $"4 errors expected, got {errors.Count}: {string.Join(" | ", errors)}");
                Require(_e.CountEntries(PolicyTable.Inode) == 0 && _e.CountEntries(PolicyTable.Net) == 0, "nothing may be applied");
            });

            Case("policy-apply", () =>
            {
                var errors = _e.Apply(
                [
                    new EnforcementPolicy { Kind = PolicyKind.ExecPath, Value = DeniedExe, RuleId = 101, RuleName = "deny-exec" },
                    new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = Secret, RuleId = 102, RuleName = "protect-secret" },
                    new EnforcementPolicy { Kind = PolicyKind.FilePrefix, Value = ProtDir, RuleId = 103 },
                    new EnforcementPolicy { Kind = PolicyKind.ConnectCidr, Value = "127.0.0.2/32", RuleId = 104 },
                    new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = KillFile, RuleId = 105, Action = RuleAction.Kill, Operations = PolicyOperations.Open },
                    new EnforcementPolicy { Kind = PolicyKind.FilePath, Value = Watched, RuleId = 106, Monitor = true },
                ]);
                Require(errors.Count == 0, string.Join(" | ", errors));
                Require(_e.CountEntries(PolicyTable.Inode) == 5, $"inode entries {_e.CountEntries(PolicyTable.Inode)}");
            });

            Case("exec-deny", () =>
            {
                Require(RunProcess("/bin/true", [], out _) == 0, "control: /bin/true must run");
                var ex = Catch(() => RunProcess(DeniedExe, [], out _));
                Require(ex is Win32Exception { NativeErrorCode: 1 }, $"expected EPERM, got {Describe(ex)}");
                var d = WaitDecision(x => x.RuleId == 101);
                Require(d.Hook == "bprm_check_security" && d.Action == "denied" && d.Match == "inode", Show(d));
                Require(d.Subject.EndsWith("denied-true", StringComparison.Ordinal), Show(d));
            });

            Case("open-deny", () =>
            {
                var ex = Catch(() => File.ReadAllText(Secret));
                Require(ex is UnauthorizedAccessException, $"expected EPERM, got {Describe(ex)}");
                var d = WaitDecision(x => x.RuleId == 102 && x.Hook == "file_open");
                Require(d.Action == "denied" && d.Subject == "secret.txt" && d.Pid == Environment.ProcessId, Show(d));
                Require(_e.RuleName(102) == "protect-secret" && d.ToEvent(_e.RuleName(d.RuleId)).Policy == "protect-secret", "rule name");
            });

            Case("unlink-deny", () =>
            {
                var ex = Catch(() => File.Delete(Secret));
                Require(ex is UnauthorizedAccessException or IOException, $"expected EPERM, got {Describe(ex)}");
                Require(File.Exists(Secret), "file must still exist");
                Require(WaitDecision(x => x.RuleId == 102 && x.Hook == "inode_unlink").Action == "denied", "decision");
            });

            Case("rename-deny", () =>
            {
                var ex = Catch(() => File.Move(Secret, Secret + ".moved"));
                Require(ex is UnauthorizedAccessException or IOException, $"expected EPERM, got {Describe(ex)}");
                Require(File.Exists(Secret) && !File.Exists(Secret + ".moved"), $"file must stay (moved exists: {File.Exists(Secret + ".moved")})");
                var ex2 = Catch(() => File.Move(Watched + ".other", Secret, overwrite: true));
                Require(ex2 is not null && File.Exists(Secret), "replacing the protected file must fail");
                Require(WaitDecision(x => x.RuleId == 102 && x.Hook is "inode_rename" or "inode_link").Action == "denied", "decision");
            });

            Case("prefix-deny", () =>
            {
                var ex = Catch(() => File.ReadAllText(Path.Combine(ProtDir, "sub", "inner.txt")));
                Require(ex is UnauthorizedAccessException, $"expected EPERM, got {Describe(ex)}");
                var d = WaitDecision(x => x.RuleId == 103);
                Require(d.Match == "subtree" && d.Subject == "inner.txt", Show(d));
                Require(File.ReadAllText(Path.Combine(WorkDir, "free.txt")) == "free", "a file outside the prefix stays readable");
            });

            Case("connect-deny", () =>
            {
                using (var ok = new TcpClient())
                {
                    ok.Connect(IPAddress.Loopback, port); // control: allowed destination
                }
                using var denied = new TcpClient();
                var ex = Catch(() => denied.Connect(IPAddress.Parse("127.0.0.2"), port));
                Require(ex is SocketException, $"expected a socket error, got {Describe(ex)}");
                var d = WaitDecision(x => x.RuleId == 104);
                Require(d.Hook == "socket_connect" && d.Address?.ToString() == $"127.0.0.2:{port}" && d.Match == "net", Show(d));
            });

            Case("kill-rule", () =>
            {
                int rc = RunProcess("/bin/sh", ["-c", $"exec 3<{KillFile}; echo survived"], out string stdout);
                Require(rc == 137 && !stdout.Contains("survived", StringComparison.Ordinal), $"exit {rc}, output '{stdout.Trim()}'");
                var d = WaitDecision(x => x.RuleId == 105);
                Require(d.Action == "killed" && d.Hook == "file_open", Show(d));
            });

            Case("monitor-would-deny", () =>
            {
                Require(File.ReadAllText(Watched) == "watched", "monitor mode must allow the open");
                var d = WaitDecision(x => x.RuleId == 106);
                Require(d.Action == "would-deny" && d.Ret == 0, Show(d));
            });

            Case("uid-mount-deny", () =>
            {
                var mountPolicy = new EnforcementPolicy { Kind = PolicyKind.Uid, Value = "0", RuleId = 108, Operations = PolicyOperations.Mount };
                Require(_e.Apply([mountPolicy]).Count == 0, "apply");
                string target = Path.Combine(WorkDir, "mnt");
                int rc = RunProcess("/bin/mount", ["-t", "tmpfs", "harrier-test", target], out _);
                Require(_e.Remove([mountPolicy]) == 1, "remove");
                Require(rc != 0, "mount must fail");
                var d = WaitDecision(x => x.RuleId == 108);
                Require(d.Hook == "sb_mount" && d.Match == "uid" && d.Subject == "harrier-test", Show(d));
            });

            Case("stats", () =>
            {
                var s = _e.ReadStats();
                Require(s.Denied >= 6 && s.Killed >= 1 && s.WouldDeny >= 1 && s.Decisions >= 8 && s.Lost == 0 && s.Malformed == 0, s.ToString());
            });

            Case("restart-pinned", () =>
            {
                _e.Dispose();
                _e = null;
                var ex = Catch(() => File.ReadAllText(Secret));
                Require(ex is UnauthorizedAccessException, $"policy must hold with no enforcer running, got {Describe(ex)}");
                _e = LsmEnforcer.Start(new LsmEnforcerOptions { PinRoot = PinRoot });
                Require(_e.Reused, "second start must reuse the pins");
                Require(_e.CountEntries(PolicyTable.Inode) == 5 && _e.CountEntries(PolicyTable.Net) == 1, "policy entries must survive");
                // The decision taken while no enforcer ran waits in the pinned ring buffer.
                var d = WaitDecision(x => x.RuleId == 102 && x.Hook == "file_open" && x.Pid == Environment.ProcessId, fresh: true);
                Require(d.Action == "denied", Show(d));
            });

            if (_e is not null)
            {
                SelfProtectionCases(_e);
            }

            Case("partial-pins-reload", () =>
            {
                Require(_e is not null, "no enforcer");
                File.Delete(Path.Combine(PinRoot, "link_harrier_sb_mount"));
                _e!.Dispose();
                _e = LsmEnforcer.Start(new LsmEnforcerOptions { PinRoot = PinRoot });
                Require(!_e.Reused, "an incomplete set of link pins must be reloaded, not reused");
                Require(Directory.GetFiles(PinRoot, "link_*").Length == _e.ProgramCount, "every program pinned again");
                Require(_e.CountEntries(PolicyTable.Inode) == 5, $"policy kept in the reused maps ({_e.CountEntries(PolicyTable.Inode)})");
                var ex = Catch(() => File.ReadAllText(Secret));
                Require(ex is UnauthorizedAccessException, $"still enforced after the reload, got {Describe(ex)}");
            });

            Case("restart-changed-rules", RestartChangedRules);
            Case("run-self-protect", RunSelfProtect);

            Case("unpin", () =>
            {
                _e?.Dispose();
                _e = null;
                var errors = LsmEnforcer.Unpin(PinRoot);
                Require(errors.Count == 0, string.Join(" | ", errors));
                Require(!Directory.Exists(PinRoot), "pin directory must be gone");
                var sw = Stopwatch.StartNew();
                Exception? ex;
                do
                {
                    ex = Catch(() => File.ReadAllText(Secret));
                }
                while (ex is not null && sw.Elapsed < TimeSpan.FromSeconds(60) && Pause());
                Require(ex is null, $"after unpin the programs must be detached within 60 s, got {Describe(ex)}");
                _o.WriteLine($"vm-selftest: programs detached {sw.ElapsedMilliseconds} ms after unpin");
            });

            return Done();
        }

        /// <summary>
        /// <c>harrier run</c> with <c>Enforcement:Lsm:SelfProtect</c> from its configuration (own pin roots, spool on the
        /// tmpfs): <c>kill -9</c> from another root process fails and becomes an alert, so does this suite's SIGTERM;
        /// <c>harrier reload --pid</c> and <c>harrier stop --pid</c> (the same executable) still reload and stop it.
        /// </summary>
        private void RunSelfProtect()
        {
            const string RunPins = "/sys/fs/bpf/harrier/vmrun";
            string? harrier = Environment.GetEnvironmentVariable("HARRIER_PROGRAM");
            Require(harrier is not null && File.Exists(harrier), $"HARRIER_PROGRAM must name the built harrier (scripts/vm-test.sh sets it), got '{harrier}'");
            string dir = Path.Combine(WorkDir, "run");
            Directory.CreateDirectory(dir);
            string rules = Path.Combine(dir, "rules.yaml");
            File.WriteAllText(rules, "- rule: vm run marker\n  desc: d\n  condition: evt.type = execve and proc.name = vm-never-runs\n  output: x\n  priority: INFO\n");
            string config = Path.Combine(dir, "appsettings.json");
            File.WriteAllText(config, $$"""
                {
                  "Serilog": { "MinimumLevel": { "Default": "Information" },
                               "WriteTo": [ { "Name": "Console", "Args": { "standardErrorFromLevel": "Verbose", "outputTemplate": "[{Level:u3}] {Message:lj}{NewLine}{Exception}" } } ] },
                  "Rules": { "Paths": [ "{{rules}}" ], "WatchFiles": false },
                  "Outputs": { "Spool": { "Directory": "{{Path.Combine(dir, "spool")}}" },
                               "Sinks": [ { "Name": "console", "Type": "console", "Format": "text", "MinimumPriority": "Debug", "Journald": "never" } ] },
                  "Metrics": { "Enabled": false },
                  "Enforcement": { "Mode": "enforce",
                                   "Lsm": { "PinRoot": "{{RunPins}}/lsm", "CgroupPinRoot": "{{RunPins}}/cgroup", "SelfProtect": true } }
                }
                """);
            var output = new System.Text.StringBuilder();
            using var seen = new ManualResetEventSlim();
            using var run = new Process { StartInfo = NewPsi(harrier!, ["run", "--config", config]) };
            DataReceivedEventHandler collect = (_, a) =>
            {
                if (a.Data is null)
                {
                    return;
                }

                lock (output)
                {
                    output.AppendLine(a.Data);
                }

                seen.Set();
            };
            run.OutputDataReceived += collect;
            run.ErrorDataReceived += collect;
            Require(run.Start(), "harrier run did not start");
            run.BeginOutputReadLine();
            run.BeginErrorReadLine();
            try
            {
                WaitOutput(output, seen, "Harrier started", TimeSpan.FromSeconds(180));
                Require(!Text(output).Contains("SelfProtect is on but cannot take effect", StringComparison.Ordinal), Text(output));
                string pid = run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

                int rc = RunProcess("/bin/kill", ["-9", pid], out _);
                Require(rc != 0, "kill -9 of a self-protected harrier run must fail");
                Require(!run.WaitForExit(1000), "harrier run must survive kill -9");
                WaitOutput(output, seen, "task_kill denied", TimeSpan.FromSeconds(60));

                Require(RunProcess(harrier!, ["reload", "--pid", pid], out string reloadOut) == 0, "harrier reload failed: " + reloadOut);
                WaitOutput(output, seen, "Rules reloaded", TimeSpan.FromSeconds(60));

                // This suite is another executable: its SIGTERM must be refused too; harrier stop --pid (the same one) may.
                Require(Harrier.Interop.Signals.Kill(run.Id, 15) != 0 && !run.WaitForExit(1000), "SIGTERM from another executable must be refused");
                Require(RunProcess(harrier!, ["stop", "--pid", pid], out string stopOut) == 0, "harrier stop --pid failed: " + stopOut);
                Require(run.WaitForExit(30_000), "harrier run did not stop: " + Text(output));
                Require(run.ExitCode == 0, $"harrier run exited {run.ExitCode}: {Text(output)}");
            }
            finally
            {
                if (!run.HasExited)
                {
                    RunProcess(harrier!, ["stop", "--pid", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], out _);
                    run.WaitForExit(30_000);
                }

                LsmEnforcer.Unpin(RunPins + "/lsm");
                CgroupEnforcer.Unpin(RunPins + "/cgroup");
            }
        }

        private static string Text(System.Text.StringBuilder output)
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        private static void WaitOutput(System.Text.StringBuilder output, ManualResetEventSlim seen, string what, TimeSpan timeout)
        {
            var sw = Stopwatch.StartNew();
            while (!Text(output).Contains(what, StringComparison.Ordinal))
            {
                Require(sw.Elapsed < timeout, $"no '{what}' from harrier run within {timeout.TotalSeconds:F0} s:\n{Text(output)}");
                seen.Reset();
                seen.Wait(TimeSpan.FromMilliseconds(500));
            }
        }

        /// <summary>
        /// Harrier restarted with a changed rule set, through the coordinator <c>harrier run</c> uses (own pin root):
        /// the second run reuses the pinned maps; the entry of the rule it no longer has must be gone, the rule both
        /// runs have must deny throughout.
        /// </summary>
        private void RestartChangedRules()
        {
            string kept = Path.Combine(WorkDir, "rules-kept.txt");
            string dropped = Path.Combine(WorkDir, "rules-dropped.txt");
            File.WriteAllText(kept, "kept");
            File.WriteAllText(dropped, "dropped");
            var options = new LsmEnforcerOptions { PinRoot = CoordinatorPinRoot };
            var enforce = new EnforcementOptions { Mode = "enforce" };
            try
            {
                using (var first = EnforcementCoordinator.Start(DenyOpen(kept, dropped), enforce, _ => { }, NullLogger.Instance, options))
                {
                    Require(first.LsmActive && first.Report.Count == 2 && first.Report.All(r => r.Mechanism == RuleEnforcement.Lsm),
                        first.LsmFailure ?? string.Join("; ", first.Report.Select(r => $"{r.Rule}: {r.Mechanism} {r.Detail}")));
                }
                Require(Catch(() => File.ReadAllText(dropped)) is UnauthorizedAccessException, "the first run's policy must hold while no Harrier runs");

                using var second = EnforcementCoordinator.Start(DenyOpen(kept), enforce, _ => { }, NullLogger.Instance, options);
                Require(second.LsmActive, second.LsmFailure ?? "BPF LSM not active");
                var ex = Catch(() => File.ReadAllText(dropped));
                Require(ex is null, $"the entry of the rule the restarted run no longer has must be gone, got {Describe(ex)}");
                ex = Catch(() => File.ReadAllText(kept));
                Require(ex is UnauthorizedAccessException, $"the rule both runs have must still deny, got {Describe(ex)}");
                second.Dispose(unpin: true);
            }
            finally
            {
                LsmEnforcer.Unpin(CoordinatorPinRoot);
                CgroupEnforcer.Unpin(CgroupEnforcerOptions.PinRootBeside(CoordinatorPinRoot));
            }
        }

        private static CompiledRuleSet DenyOpen(params string[] files)
        {
            var yaml = string.Concat(files.Select(f => $"""
                - rule: deny open {Path.GetFileName(f)}
                  desc: selftest
                  condition: evt.type in (open, openat, openat2) and fd.name = {f}
                  output: o
                  priority: WARNING
                  action: deny

                """));
            var load = RuleLoader.LoadText(yaml, "selftest.yaml", new RuleLoadOptions { BuildEngine = false, WarnUnused = false });
            return load.RuleSet ?? throw new InvalidOperationException(load.Format());
        }

        private void SelfProtectionCases(LsmEnforcer e)
        {
            Process? child = null;
            int pid = 0;
            var errText = new System.Text.StringBuilder();
            Case("self-protect-start", () =>
            {
                var psi = NewPsi(_self[0], _self.Skip(1).Append("child-enforcer"));
                psi.RedirectStandardInput = true;
                child = Process.Start(psi) ?? throw new InvalidOperationException("child did not start");
                child.ErrorDataReceived += (_, a) =>
                {
                    lock (errText)
                    {
                        errText.AppendLine(a.Data);
                    }
                };
                child.BeginErrorReadLine();
                string? line;
                do
                {
                    var read = child.StandardOutput.ReadLineAsync();
                    if (!read.Wait(TimeSpan.FromSeconds(90)))
                    {
                        DumpKernelStacks(child.Id);
                        lock (errText)
                        {
                            throw new TimeoutException($"child enforcer silent for 90 s; stderr: {errText}");
                        }
                    }
                    line = read.Result;
                }
                while (line is not null && !line.StartsWith("ready ", StringComparison.Ordinal));
                lock (errText)
                {
                    Require(line is not null, $"child enforcer did not report ready: {errText}");
                }
                pid = int.Parse(line!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                Require(pid == child.Id && line.Contains("reused=True", StringComparison.Ordinal), line);
            });
            if (child is null || pid == 0)
            {
                return;
            }

            Case("self-protect-kill", () =>
            {
                int rc = RunProcess("/bin/kill", ["-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], out _);
                Require(rc != 0, "kill -9 must fail");
                Require(!child.WaitForExit(1000), "enforcer must survive");
                var d = WaitDecision(x => x.Hook == "task_kill" && x.Target == (uint)pid);
                Require(d.Match == "self" && d.Aux == 9 && d.RuleId == 0, Show(d));
            });

            Case("self-protect-ptrace", () =>
            {
                int rc = RunProcess("/bin/cat", [$"/proc/{pid}/environ"], out _);
                Require(rc != 0, "reading another process's environ needs ptrace access and must fail");
                Require(WaitDecision(x => x.Hook == "ptrace_access_check" && x.Target == (uint)pid).Match == "self", "decision");
            });

            Case("self-protect-bpf", () =>
            {
                string? bpftool = new[] { "/usr/sbin/bpftool", "/sbin/bpftool", "/usr/bin/bpftool" }.FirstOrDefault(File.Exists);
                Require(bpftool is not null, "bpftool not installed (apt-get install bpftool)");
                int rc = RunProcess(bpftool!, ["map", "show", "pinned", Path.Combine(PinRoot, "pol_inode")], out _);
                Require(rc != 0, "BPF_OBJ_GET of a pinned map must fail");
                Require(WaitDecision(x => x.Hook == "bpf" && x.Subject.StartsWith(PinRoot, StringComparison.Ordinal)).Match == "self", "obj_get decision");
                uint progId = e.ProtectedIds().First(x => x.Kind == 1).Id;
                int rc2 = RunProcess(bpftool!, ["prog", "show", "id", progId.ToString(System.Globalization.CultureInfo.InvariantCulture)], out _);
                Require(rc2 != 0, "prog fd by id must fail");
                Require(WaitDecision(x => x.Hook == "bpf" && x.Aux == progId).Match == "self", "by-id decision");
            });

            Case("self-protect-unpin", () =>
            {
                string link = Path.Combine(PinRoot, "link_harrier_file_open");
                int rc = RunProcess("/bin/rm", ["-f", link], out _);
                Require(rc != 0 && File.Exists(link), "removing a pin must fail for others");
            });

            Case("self-protect-release", () =>
            {
                child.StandardInput.WriteLine("quit");
                child.StandardInput.Flush();
                Require(child.WaitForExit(30_000) && child.ExitCode == 0, "child enforcer must stop gracefully");
                Require(e.ProtectedTgid == 0, $"after a graceful stop nothing stays protected (tgid {e.ProtectedTgid})");
                var ex = Catch(() => File.ReadAllText(Secret));
                Require(ex is UnauthorizedAccessException, "policy still enforced after the enforcer process restarted and stopped");
                lock (errText)
                {
                    foreach (var l in errText.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        _o.WriteLine($"vm-selftest: child stderr: {l}");
                    }
                }
            });
            child.Dispose();
        }

        /// <summary>Diagnostics for a hung child: the kernel stacks of its threads (sysrq-t), printed as vm-selftest lines.</summary>
        private void DumpKernelStacks(int pid)
        {
            try
            {
                File.WriteAllText("/proc/sys/kernel/sysrq", "1");
                File.WriteAllText("/proc/sysrq-trigger", "t");
                RunProcess("/bin/dmesg", [], out string log);
                bool inTask = false;
                foreach (var line in log.Split('\n'))
                {
                    if (line.Contains(" task:", StringComparison.Ordinal))
                    {
                        inTask = line.Contains($" pid:{pid} ", StringComparison.Ordinal) || line.Contains($" tgid:{pid} ", StringComparison.Ordinal)
                            || line.Contains(" ppid:" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
                    }
                    if (inTask)
                    {
                        _o.WriteLine($"vm-selftest: stack: {line.Trim()}");
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException)
            {
                _o.WriteLine($"vm-selftest: no kernel stacks: {ex.Message}");
            }
        }

        private void Prepare()
        {
            LsmEnforcer.Unpin(PinRoot);
            LsmEnforcer.Unpin(CoordinatorPinRoot);
            if (Directory.Exists(WorkDir))
            {
                Directory.Delete(WorkDir, recursive: true);
            }
            Directory.CreateDirectory(Path.Combine(ProtDir, "sub"));
            Directory.CreateDirectory(Path.Combine(WorkDir, "mnt"));
            File.WriteAllText(Secret, "secret");
            File.WriteAllText(Watched, "watched");
            File.WriteAllText(Watched + ".other", "other");
            File.WriteAllText(KillFile, "kill");
            File.WriteAllText(Path.Combine(WorkDir, "free.txt"), "free");
            File.WriteAllText(Path.Combine(ProtDir, "sub", "inner.txt"), "inner");
            File.Copy("/bin/true", DeniedExe);
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(DeniedExe, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
        }

        private LsmDecision WaitDecision(Func<LsmDecision, bool> match, bool fresh = false)
        {
            if (fresh)
            {
                _seen.Clear();
            }
            var sw = Stopwatch.StartNew();
            while (true)
            {
                foreach (var d in _seen)
                {
                    if (match(d))
                    {
                        _seen.Remove(d);
                        return d;
                    }
                }
                if (sw.Elapsed > DecisionWait || _e is null)
                {
                    throw new InvalidOperationException($"no matching decision record within {DecisionWait.TotalSeconds} s (seen: {string.Join("; ", _seen.Select(Show))})");
                }
                _e.PollDecisions(200, _seen.Add);
            }
        }

        private static ProcessStartInfo NewPsi(string file, IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            return psi;
        }

        private static int RunProcess(string file, IEnumerable<string> args, out string stdout)
        {
            using var p = Process.Start(NewPsi(file, args)) ?? throw new InvalidOperationException($"{file} did not start");
            var err = p.StandardError.ReadToEndAsync();
            stdout = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} did not exit");
            }
            _ = err.Result;
            return p.ExitCode;
        }

        private static bool Pause()
        {
            using var gate = new ManualResetEventSlim(false);
            gate.Wait(100); // polling interval while waiting for the kernel to release detached programs
            return true;
        }

        private static Exception? Catch(Action a)
        {
            try
            {
                a();
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        }

        private static string Describe(Exception? ex) => ex is null ? "success" : $"{ex.GetType().Name}: {ex.Message}";

        private static string Show(LsmDecision d) =>
            $"rule={d.RuleId} hook={d.Hook} action={d.Action} match={d.Match} ret={d.Ret} pid={d.Pid} comm={d.Comm} target={d.Target} aux={d.Aux} subject='{d.Subject}' addr={d.Address}";

        private static void Require(bool condition, string detail)
        {
            if (!condition)
            {
                throw new InvalidOperationException(detail);
            }
        }

        private void Case(string name, Action body)
        {
            try
            {
                body();
                _passed++;
                _o.WriteLine($"vm[{_kernel}] PASS {name}");
            }
            catch (Exception ex)
            {
                _failed++;
                _o.WriteLine($"vm[{_kernel}] FAIL {name} ({ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")})");
            }
            _o.Flush();
        }

        private int Done()
        {
            try
            {
                _e?.Dispose();
                LsmEnforcer.Unpin(PinRoot);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LsmEnforcementException)
            {
                _o.WriteLine($"vm-selftest: cleanup: {ex.Message}");
            }
            _o.WriteLine($"vm-selftest: done {_passed + _failed} ({_passed} passed, {_failed} failed)");
            _o.Flush();
            return _failed == 0 ? 0 : 1;
        }
    }
}
