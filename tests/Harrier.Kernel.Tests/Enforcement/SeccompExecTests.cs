using System.Net;
using System.Net.Sockets;
using Harrier.Events;
using Harrier.Seccomp.Cli;
using Harrier.Seccomp.Notify;

namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>`harrier exec --profile` on the running kernel: filters installed by the launcher, user notification answered by the supervisor.</summary>
public sealed class SeccompExecTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("harrier-seccomp-kt-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Profile(string yaml)
    {
        var path = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static (int Code, string Out, string Err) Exec(string profile, Func<HarrierEvent, SeccompDecision>? decide, params string[] command)
    {
        var o = new StringWriter();
        var err = new StringWriter();
        int code = ExecCommand.Run(["--profile", profile, "--", .. command], o, err, decide);
        return (code, o.ToString(), err.ToString());
    }

    [SeccompFact]
    public void Exec_ProfileDeniesMkdir_WorkloadGetsEpermAndExitStatus()
    {
        var target = Path.Combine(_dir.FullName, "denied");
        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [mkdir, mkdirat]\n    action: errno\n    errno: EPERM\n");
        var (code, _, err) = Exec(profile, null, "mkdir", target);
        Assert.Equal(1, code);
        Assert.Contains("Operation not permitted", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));

        // control: the same command under an allow-all profile works
        var allowed = Path.Combine(_dir.FullName, "allowed");
        var (code2, _, err2) = Exec(Profile("defaultAction: allow\n"), null, "mkdir", allowed);
        Assert.Equal(0, code2);
        Assert.Equal(string.Empty, err2);
        Assert.True(Directory.Exists(allowed));
    }

    [SeccompFact]
    public void Exec_ErrnoAction_ReturnsTheConfiguredErrno()
    {
        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [mkdir, mkdirat]\n    action: errno\n    errno: EACCES\n");
        var (code, _, err) = Exec(profile, null, "mkdir", Path.Combine(_dir.FullName, "x"));
        Assert.Equal(1, code);
        Assert.Contains("Permission denied", err, StringComparison.Ordinal);
    }

    [SeccompFact]
    public void Exec_KillProcessAction_ChildDiesWithSigsys()
    {
        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [mkdir, mkdirat]\n    action: kill_process\n");
        var (code, _, _) = Exec(profile, null, "mkdir", Path.Combine(_dir.FullName, "k"));
        Assert.Equal(128 + 31, code); // SIGSYS
    }

    [SeccompFact]
    public void Exec_ExitStatusOfTheWorkload_IsReturned()
    {
        var (code, o, _) = Exec(Profile("defaultAction: allow\n"), null, "sh", "-c", "echo hello; exit 7");
        Assert.Equal(7, code);
        Assert.Equal("hello\n", o);
    }

    [SeccompFact]
    public void Exec_MissingCommandOrBadProfile_Returns125WithMessage()
    {
        var (code, _, err) = Exec(Profile("defaultAction: allow\n"), null, "/nonexistent/harrier-cmd");
        Assert.Equal(127, code);
        Assert.Contains("/nonexistent/harrier-cmd", err, StringComparison.Ordinal);

        var bad = Profile("defaultAction: allow\nsyscalls:\n  - names: [mkdri]\n    action: errno\n");
        var (code2, _, err2) = Exec(bad, null, "true");
        Assert.Equal(ExecCommand.HarrierFailure, code2);
        Assert.Contains(":3:", err2, StringComparison.Ordinal);
        Assert.Contains("unknown syscall 'mkdri'", err2, StringComparison.Ordinal);
    }

    [SeccompFact]
    public void Exec_NotifyConnect_RuleAllowsPortAAndDeniesPortB()
    {
        using var a = new TcpListener(IPAddress.Loopback, 0);
        using var b = new TcpListener(IPAddress.Loopback, 0);
        a.Start();
        b.Start();
        int portA = ((IPEndPoint)a.LocalEndpoint).Port;
        int portB = ((IPEndPoint)b.LocalEndpoint).Port;
        var seen = new List<NetworkEvent>();
        var others = new List<string>();
        SeccompDecision Decide(HarrierEvent ev)
        {
            if (ev is not NetworkEvent n)
            {
                // (asserting here would throw into the supervisor, which answers a failed callback with EPERM)
                lock (seen)
                {
                    others.Add($"{ev.Class}/{ev.Type}");
                }

                return SeccompDecision.Continue;
            }

            lock (seen)
            {
                seen.Add(n);
            }

            // stands in for a rule "evt.type=connect and fd.sport=B, action: deny"
            return n.Remote.Port == portB ? SeccompDecision.Deny(1, "deny-port-b") : SeccompDecision.Continue;
        }

        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [connect]\n    action: notify\n");
        var script = $"exec 3<>/dev/tcp/127.0.0.1/{portA} && echo A-ok; if exec 4<>/dev/tcp/127.0.0.1/{portB}; then echo B-ok; else echo B-denied; fi";
        var (code, o, err) = Exec(profile, Decide, "bash", "-c", script);
        string diag;
        lock (seen)
        {
            diag = $"exit={code} stdout=[{o.Trim()}] stderr=[{err.Trim()}] ports A={portA} B={portB} notified=["
                + string.Join("; ", seen.Select(e => $"{e.Comm}/{e.Pid} {e.Remote.ToIPAddress()}:{e.Remote.Port} family={e.Domain} truncated={e.Truncated}"))
                + "] other=[" + string.Join("; ", others) + "]";
        }

        Assert.True(code == 0 && o.Contains("A-ok", StringComparison.Ordinal) && o.Contains("B-denied", StringComparison.Ordinal)
            && !o.Contains("B-ok", StringComparison.Ordinal) && err.Contains("Operation not permitted", StringComparison.Ordinal), diag);
        Assert.True(ListenerAssert.Accepted(a), "the allowed connection reached listener A; " + diag);
        Assert.False(b.Pending(), "the denied connection must not reach listener B; " + diag);

        // bash may also connect AF_UNIX sockets of its own (nscd, systemd-userdb while it looks up the user), which the
        // filter notifies too and the decision lets through: only the two TCP connects are this test's.
        var inet = seen.Where(e => e.Domain == 2).ToList();
        Assert.True(inet.Count == 2 && others.Count == 0, diag);
        Assert.All(seen, e => Assert.True(e.Domain is 1 or 2, diag));
        Assert.All(inet, e =>
        {
            Assert.Equal(EventSource.Seccomp, e.Source);
            Assert.Equal(EventType.Connect, e.Type);
            Assert.Equal("bash", e.Comm);
            Assert.True(e.Pid > 0);
            Assert.Equal(IPAddress.Loopback, e.Remote.ToIPAddress());
            Assert.True(e.TimestampNs > 0);
        });
        Assert.Equal([portA, portB], inet.Select(e => (int)e.Remote.Port));
    }

    [SeccompFact]
    public void Exec_NotifyOpenat_DecodesResolvedPathAndDeniesWithErrno()
    {
        var secret = Path.Combine(_dir.FullName, "secret.txt");
        var open = Path.Combine(_dir.FullName, "open.txt");
        File.WriteAllText(secret, "s3cret");
        File.WriteAllText(open, "public");
        var paths = new List<string?>();
        SeccompDecision Decide(HarrierEvent ev)
        {
            var f = Assert.IsType<FileEvent>(ev);
            lock (paths)
            {
                paths.Add(f.Path);
            }

            return f.Path == secret ? SeccompDecision.Deny(13) : SeccompDecision.Continue;
        }

        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [openat]\n    action: notify\n");

        // relative paths: resolved against the workload's cwd read from /proc
        var (code, o, err) = Exec(profile, Decide, "sh", "-c", $"cd {_dir.FullName} && exec cat ./open.txt secret.txt");
        Assert.Equal(1, code);
        Assert.Contains("public", o, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", o, StringComparison.Ordinal);
        Assert.Contains("Permission denied", err, StringComparison.Ordinal);
        Assert.Contains(open, paths);
        Assert.Contains(secret, paths);
    }

    [SeccompFact]
    public void Exec_NotifyExecve_SeesFilenameAndArgv()
    {
        var events = new List<ProcessEvent>();
        SeccompDecision Decide(HarrierEvent ev)
        {
            var p = Assert.IsType<ProcessEvent>(ev);
            lock (events)
            {
                events.Add(p);
            }

            return p.Filename == "/bin/echo" ? SeccompDecision.Deny(1) : SeccompDecision.Continue;
        }

        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [execve]\n    action: notify\n");
        var (code, o, _) = Exec(profile, Decide, "sh", "-c", "/bin/echo denied-run; /bin/true arg1 arg2 && echo true-ran");
        Assert.Equal(0, code);
        Assert.Contains("true-ran", o, StringComparison.Ordinal);
        Assert.DoesNotContain("denied-run", o, StringComparison.Ordinal);
        var t = Assert.Single(events, e => e.Filename == "/bin/true");
        Assert.Equal(["/bin/true", "arg1", "arg2"], t.Argv);
        Assert.Equal(EventType.Execve, t.Type);
        Assert.Contains(events, e => e.Filename == "/bin/echo");
        Assert.Contains(events, e => e.Argv.Count > 0 && e.Argv[0] == "sh"); // the launcher's own exec of the workload
    }

    [SeccompFact]
    public void Exec_NotifyWithHostilePointers_EventMarkedTruncatedAndWorkloadGetsEfault()
    {
        var events = new List<HarrierEvent>();
        SeccompDecision Decide(HarrierEvent ev)
        {
            lock (events)
            {
                events.Add(ev);
            }

            return SeccompDecision.Continue;
        }

        // connect(fd, (void*)8, 16) and openat(AT_FDCWD, (char*)8, 0): unmapped pointers
        const string Script = """
            import ctypes, os, socket
            libc = ctypes.CDLL(None, use_errno=True)
            s = socket.socket()
            r = libc.connect(s.fileno(), ctypes.c_void_p(8), 16)
            print("connect", r, ctypes.get_errno())
            r = libc.openat(-100, ctypes.c_void_p(8), 0)
            print("openat", r, ctypes.get_errno())
            """;
        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [connect]\n    action: notify\n  - names: [openat]\n    action: notify\n");
        var (code, o, _) = Exec(profile, Decide, "/usr/bin/python3", "-c", Script);
        Assert.Equal(0, code);
        Assert.Contains("connect -1 14", o, StringComparison.Ordinal); // EFAULT from the kernel after CONTINUE
        Assert.Contains("openat -1 14", o, StringComparison.Ordinal);
        Assert.Contains(events, e => e is NetworkEvent { Truncated: true, Remote.IsSet: false });
        Assert.Contains(events, e => e is FileEvent { Truncated: true, RawPath: null });
    }

    [SeccompFact]
    public void Exec_NotifyProfile_WorkloadCannotStackItsOwnListener()
    {
        // seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, NULL): EPERM under a notify profile
        // (Harrier's filter refuses it), EFAULT (the NULL program) otherwise.
        const string Script = """
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            r = libc.syscall(317, 1, 8, None)
            print("seccomp", r, ctypes.get_errno())
            """;
        var notify = Profile("defaultAction: allow\nsyscalls:\n  - names: [connect]\n    action: notify\n");
        var (code, o, _) = Exec(notify, _ => SeccompDecision.Continue, "/usr/bin/python3", "-c", Script);
        Assert.Equal(0, code);
        Assert.Contains("seccomp -1 1", o, StringComparison.Ordinal);

        var (code2, o2, _) = Exec(Profile("defaultAction: allow\n"), null, "/usr/bin/python3", "-c", Script);
        Assert.Equal(0, code2);
        Assert.Contains("seccomp -1 14", o2, StringComparison.Ordinal);
    }

    [SeccompFact]
    public void Exec_DecisionCallbackThrows_FailsClosedWithEperm()
    {
        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [mkdir, mkdirat]\n    action: notify\n");
        var target = Path.Combine(_dir.FullName, "never");
        var (code, _, err) = Exec(profile, _ => throw new InvalidOperationException("rules engine down"), "mkdir", target);
        Assert.Equal(1, code);
        Assert.Contains("Operation not permitted", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
    }

    [SeccompFact]
    public void Exec_RunDirectoryExists_WorkloadIsRegisteredWhileItRuns()
    {
        var run = Directory.CreateDirectory(Path.Combine(_dir.FullName, "run")).FullName;
        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [mkdir]\n    action: errno\n");

        // the workload (same pid as the launcher) waits for its registration file and prints its header
        var script = $"for i in $(seq 200); do if [ -f {run}/$$.yaml ]; then head -1 {run}/$$.yaml; exit 0; fi; sleep 0.02; done; exit 3";
        var o = new StringWriter();
        int code = ExecCommand.Run(["--profile", profile, "--", "sh", "-c", script], o, new StringWriter(), null, null, run, CancellationToken.None);
        Assert.Equal(0, code);
        var m = System.Text.RegularExpressions.Regex.Match(o.ToString(), @"^# harrier-exec: pid=(\d+) start=\d+ source=" + System.Text.RegularExpressions.Regex.Escape(profile));
        Assert.True(m.Success, o.ToString());
        // Kept after the workload exited, so a daemon still attributes its last events; a scan removes it once the
        // process has been gone for the grace period (the file's time is moved back to stand for that here).
        var file = Assert.Single(Directory.GetFiles(run));
        Assert.Single(Harrier.Seccomp.Observe.SeccompRunDirectory.ReadAll(run, new List<string>()));
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow - Harrier.Seccomp.Observe.SeccompRunDirectory.ExitedGrace - TimeSpan.FromSeconds(1));
        Assert.Empty(Harrier.Seccomp.Observe.SeccompRunDirectory.ReadAll(run, new List<string>()));
        Assert.Empty(Directory.GetFiles(run));
    }

    [SeccompFact]
    public void Exec_SendmsgNotify_IsRejectedBeforeStarting()
    {
        var profile = Profile("defaultAction: allow\nsyscalls:\n  - names: [sendmsg]\n    action: notify\n");
        var (code, _, err) = Exec(profile, _ => SeccompDecision.Continue, "true");
        Assert.Equal(ExecCommand.HarrierFailure, code);
        Assert.Contains("sendmsg cannot be 'notify'", err, StringComparison.Ordinal);
    }
}
