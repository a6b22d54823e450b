using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Harrier.Events;
using Harrier.Interop;
using Harrier.Seccomp.Filters;
using Harrier.Seccomp.Notify;
using Harrier.Seccomp.Observe;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Cli;

/// <summary>
/// <c>harrier exec --profile FILE [--] CMD [ARGS...]</c>: runs CMD under the compiled seccomp profile and returns
/// its exit status (128+N when killed by signal N, as a shell reports it). Harrier's own failures (bad profile,
/// launcher missing, supervisor hand-over failed) return 125 with a message on <c>err</c>.
/// <para>The filter is installed by the native launcher <c>harrier-seccomp-exec</c> (fork/exec is not safe
/// from .NET): it sets PR_SET_NO_NEW_PRIVS, installs the filter and execs CMD in the same process. When the
/// profile has <c>notify</c> actions the launcher sends the listener fd back over an abstract unix socket
/// (the peer's pid is checked with SO_PEERCRED) and a <see cref="SeccompSupervisor"/> answers with the
/// decision callback until CMD exits.</para>
/// <para>The workload inherits the console when <c>o</c>/<c>err</c> are <see cref="Console.Out"/>/<see cref="Console.Error"/>;
/// otherwise its stdout and stderr are copied into the given writers.</para>
/// </summary>
public static class ExecCommand
{
    public const int HarrierFailure = 125;

    private static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(10);

    public static int Run(string[] args, TextWriter o, TextWriter err) => Run(args, o, err, decide: null);

    /// <param name="decide">Answers user notifications; null allows every notified call and prints it to <paramref name="err"/>.</param>
    /// <param name="registry">When given, the workload's pid is registered with its profile while it runs, so the
    /// engine can explain the probes' events of it as seccomp decisions (<see cref="SeccompProcessRegistry.TryExplain"/>).</param>
    public static int Run(string[] args, TextWriter o, TextWriter err, Func<HarrierEvent, SeccompDecision>? decide, SeccompProcessRegistry? registry = null, CancellationToken cancellationToken = default) =>
        Run(args, o, err, decide, registry, SeccompRunDirectory.Resolve(), cancellationToken);

    /// <param name="runDirectory">Where the workload is registered for a running daemon (<see cref="SeccompRunDirectory"/>).</param>
    internal static int Run(string[] args, TextWriter o, TextWriter err, Func<HarrierEvent, SeccompDecision>? decide, SeccompProcessRegistry? registry, string runDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? profilePath = null;
        int i = 0;
        for (; i < args.Length; i++)
        {
            if (args[i] == "--")
            {
                i++;
                break;
            }

            if (args[i] is "--profile" or "-p")
            {
                if (i + 1 >= args.Length)
                {
                    return Usage(err, "--profile needs a file");
                }

                profilePath = args[++i];
            }
            else if (args[i].StartsWith("--profile=", StringComparison.Ordinal))
            {
                profilePath = args[i]["--profile=".Length..];
            }
            else if (args[i] is "-h" or "--help")
            {
                o.WriteLine(UsageText);
                return 0;
            }
            else if (args[i].StartsWith('-'))
            {
                return Usage(err, $"unknown option '{args[i]}'");
            }
            else
            {
                break;
            }
        }

        if (profilePath is null)
        {
            return Usage(err, "--profile FILE is required");
        }

        if (i >= args.Length)
        {
            return Usage(err, "no command given");
        }

        SeccompProfile profile;
        SeccompFilter filter;
        try
        {
            profile = SeccompProfileLoader.LoadFile(profilePath);
            CheckLauncherCanRun(profile);
            filter = SeccompFilterCompiler.Compile(profile);
        }
        catch (SeccompProfileException e)
        {
            foreach (var line in e.Errors)
            {
                err.WriteLine($"harrier exec: {line}");
            }

            return HarrierFailure;
        }

        var launcher = LauncherLocator.Find();
        if (launcher is null)
        {
            err.WriteLine($"harrier exec: {LauncherLocator.FileName} not found (build it with `make -C seccomp` and copy it next to harrier, or set HARRIER_SECCOMP_EXEC)");
            return HarrierFailure;
        }

        return Execute(launcher, profile, filter, args[i..], o, err, decide ?? DefaultDecision(err), registry, runDirectory, cancellationToken);
    }

    private const string UsageText = "usage: harrier exec --profile FILE [--] CMD [ARGS...]";

    private static int Usage(TextWriter err, string message)
    {
        err.WriteLine($"harrier exec: {message}");
        err.WriteLine(UsageText);
        return HarrierFailure;
    }

    /// <summary>The launcher runs sendmsg (to hand the listener over) and execve after the filter is in place.</summary>
    private static void CheckLauncherCanRun(SeccompProfile profile)
    {
        if (!profile.UsesNotify)
        {
            return;
        }

        var sendmsg = profile.Syscalls.FirstOrDefault(r => r.Names.Contains("sendmsg"));
        var action = sendmsg?.Action ?? profile.DefaultAction;
        if (action == SeccompAction.Notify)
        {
            int line = sendmsg?.Line ?? 0;
            throw new SeccompProfileException($"{profile.Source}:{line}: sendmsg cannot be 'notify' under harrier exec: the launcher hands the listener to Harrier with sendmsg after the filter is installed (it would wait for itself)");
        }
    }

    private static Func<HarrierEvent, SeccompDecision> DefaultDecision(TextWriter err) => ev =>
    {
        lock (err)
        {
            err.WriteLine($"harrier exec: notify {Describe(ev)}: allowed (no rules engine attached)");
        }

        return SeccompDecision.Continue;
    };

    internal static string Describe(HarrierEvent ev) => ev switch
    {
        NetworkEvent n => $"pid {n.Pid} {EventTypes.Name(n.Type)} {(n.Type == EventType.Bind ? n.Local : n.Remote)}",
        FileEvent f => $"pid {f.Pid} {EventTypes.Name(f.Type)} {f.Path ?? f.RawPath}",
        ProcessEvent p => $"pid {p.Pid} {EventTypes.Name(p.Type)} {p.Filename}",
        DecisionEvent d => $"pid {d.Pid} {d.Syscall}",
        _ => $"pid {ev.Pid} {ev.Type}",
    };

    private static int Execute(string launcher, SeccompProfile profile, SeccompFilter filter, string[] command, TextWriter o, TextWriter err, Func<HarrierEvent, SeccompDecision> decide, SeccompProcessRegistry? registry, string runDirectory, CancellationToken cancellationToken)
    {
        bool inherit = ReferenceEquals(o, Console.Out) && ReferenceEquals(err, Console.Error);
        var psi = new ProcessStartInfo(launcher)
        {
            UseShellExecute = false,
            RedirectStandardOutput = !inherit,
            RedirectStandardError = !inherit,
        };
        psi.ArgumentList.Add("--");
        foreach (var a in command)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HARRIER_SECCOMP_FILTER"] = Convert.ToHexString(filter.ToBytes());
        psi.Environment.Remove("HARRIER_SECCOMP_NOTIFY"); // never inherit a stale hand-over socket
        if (Directory.Exists(runDirectory))
        {
            SeccompRunDirectory.ReadAll(runDirectory, new List<string>()); // sweeps registrations of long-gone workloads
            // The launcher waits for our registration before it installs the filter (see the launcher source).
            psi.Environment["HARRIER_SECCOMP_REGISTER_DIR"] = runDirectory;
        }
        else
        {
            psi.Environment.Remove("HARRIER_SECCOMP_REGISTER_DIR");
        }
        Socket? listen = null;
        if (filter.UsesNotify)
        {
            string name = "harrier-seccomp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N");
            listen = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listen.Bind(new UnixDomainSocketEndPoint("\0" + name));
            listen.Listen(1);
            psi.Environment["HARRIER_SECCOMP_NOTIFY"] = name;
        }

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            listen?.Dispose();
            err.WriteLine($"harrier exec: cannot start {launcher}: {e.Message}");
            return HarrierFailure;
        }

        registry?.Register(process.Id, profile);
        string? registration = null;
        try
        {
            registration = SeccompRunDirectory.Register(runDirectory, process.Id, profile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            err.WriteLine($"harrier exec: warning: cannot register pid {process.Id} in {runDirectory} ({e.Message}): the daemon will not attribute its denials to the profile");
        }

        var copies = new List<Task>();
        if (!inherit)
        {
            copies.Add(Pump(process.StandardOutput, o));
            copies.Add(Pump(process.StandardError, err));
        }

        SeccompSupervisor? supervisor = null;
        Task? supervising = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (listen is not null)
            {
                int fd = ReceiveListener(listen, process, err);
                if (fd < 0)
                {
                    TryKill(process);
                    process.WaitForExit();
                    return HarrierFailure;
                }

                supervisor = new SeccompSupervisor(fd, decide);
                supervising = supervisor.RunAsync(stop.Token);
            }

            process.WaitForExitAsync(cancellationToken).GetAwaiter().GetResult();
            process.WaitForExit();
            Task.WaitAll(copies.ToArray(), TimeSpan.FromSeconds(5));
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            process.WaitForExit();
            return process.ExitCode;
        }
        finally
        {
            stop.Cancel();
            try
            {
                supervising?.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // cancellation of the supervisor task
            }

            supervisor?.Dispose();
            listen?.Dispose();
            registry?.MarkExited(process.Id);
            // The registration stays: a running daemon may still be processing the workload's last events. Scans
            // (the daemon's, and the next harrier exec's) remove it once the process has been gone ExitedGrace.
            _ = registration;
        }
    }

    private static async Task Pump(StreamReader from, TextWriter to)
    {
        var buffer = new char[4096];
        int n;
        while ((n = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (to)
            {
                to.Write(buffer, 0, n);
            }
        }
    }

    /// <summary>Accepts the launcher's connection (only from its pid) and takes the listener fd out of the SCM_RIGHTS message.</summary>
    private static int ReceiveListener(Socket listen, Process process, TextWriter err)
    {
        using var timeout = new CancellationTokenSource(HandOverTimeout);
        Socket conn;
        try
        {
            var accept = listen.AcceptAsync(timeout.Token).AsTask();
            var exited = process.WaitForExitAsync(timeout.Token);
            Task.WaitAny(accept, exited);
            if (!accept.IsCompletedSuccessfully)
            {
                err.WriteLine(process.HasExited
                    ? $"harrier exec: the launcher exited ({process.ExitCode}) before handing over the seccomp listener"
                    : "harrier exec: the launcher did not hand over the seccomp listener in time");
                return -1;
            }

            conn = accept.Result;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or AggregateException)
        {
            err.WriteLine($"harrier exec: waiting for the seccomp listener: {e.Message}");
            return -1;
        }

        using (conn)
        {
            var cred = new byte[12];
            const int SolSocket = 1, SoPeercred = 17;
            if (conn.GetRawSocketOption(SolSocket, SoPeercred, cred) != 12 || BitConverter.ToInt32(cred, 0) != process.Id)
            {
                err.WriteLine("harrier exec: a process other than the launcher connected to the supervisor socket; refused");
                return -1;
            }

            int sock = (int)conn.Handle;
            var data = new byte[1];
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < HandOverTimeout)
            {
                int p = Syscalls.Poll(sock, Syscalls.PollIn, 100, out _);
                if (p == 0)
                {
                    continue;
                }

                int n = Syscalls.ReceiveFd(sock, data, out int fd);
                if (n < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() is Syscalls.EAGAIN or Syscalls.EINTR)
                {
                    continue;
                }

                if (n <= 0 || fd < 0)
                {
                    err.WriteLine("harrier exec: the launcher closed the supervisor socket without sending the listener");
                    if (fd >= 0)
                    {
                        Syscalls.Close(fd);
                    }

                    return -1;
                }

                return fd;
            }

            err.WriteLine("harrier exec: the launcher did not hand over the seccomp listener in time");
            return -1;
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }
}
