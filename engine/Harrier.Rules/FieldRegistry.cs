using Harrier.Events;
using Harrier.Rules.Fields;
using X = Harrier.Rules.Fields.FieldExtractors;

namespace Harrier.Rules;

/// <summary>
/// Every Falco field Harrier can supply (those Falco's stable rules use, and more), with type, description and an
/// extractor; plus the Falco fields Harrier knows it cannot supply, with the reason. Immutable; thread-safe.
/// </summary>
public static class FieldRegistry
{
    private static readonly EventClass[] FileOnly = { EventClass.File };
    private static readonly EventClass[] NetOnly = { EventClass.Network };
    private static readonly EventClass[] FdClasses = { EventClass.File, EventClass.Network, EventClass.Privilege };

    /// <summary>Socket address fields: network calls, and the dup family when the duplicated fd is a socket.</summary>
    private static readonly EventClass[] SockClasses = { EventClass.Network, EventClass.Privilege };
    private static readonly EventClass[] DecisionOnly = { EventClass.Decision };
    private static readonly EventClass[] PrivOnly = { EventClass.Privilege };
    private static readonly EventClass[] FileAndPriv = { EventClass.File, EventClass.Privilege };

    private static readonly Dictionary<string, FieldInfo> ByName = new(StringComparer.Ordinal);
    private static readonly List<FieldInfo> Ordered = new();

    private static readonly (string Prefix, string Reason)[] UnsupportedPrefixes =
    {
        ("k8s.", "Kubernetes metadata other than the pod's namespace, name, uid and sandbox is not collected by Harrier"),
        ("k8smeta.", "Kubernetes metadata is not collected by Harrier"),
        ("ka.", "Kubernetes audit events are not a Harrier source"),
        ("jevt.", "JSON events are not a Harrier source"),
        ("proc.exe_ino", "executable inode times are not captured"),
        ("fd.types", "the fd table of the process is not tracked"),
        ("span.", "tracer spans are not supported"),
        ("evtin.", "tracer spans are not supported"),
    };

    private static readonly Dictionary<string, string> UnsupportedExact = new(StringComparer.Ordinal)
    {
        ["proc.is_exe_writable"] = "executable permission checks are not captured",
        ["proc.is_container_healthcheck"] = "container health checks are not known",
        ["proc.is_container_liveness_probe"] = "container probes are not known",
        ["proc.is_container_readiness_probe"] = "container probes are not known",
        ["fd.ino"] = "inode numbers are not captured",
        ["fd.dev"] = "device numbers are not captured",
        ["evt.buffer"] = "I/O buffers are not captured",
        ["evt.rawarg"] = "raw arguments are not exposed; use evt.arg",
    };

    static FieldRegistry()
    {
        // evt
        S("evt.type", "The event type: the syscall name (openat, execve...), or procexit.", X.EvtType);
        N("evt.num", "The engine's sequence number of the event.", X.EvtNum);
        S("evt.time", "Event time as HH:MM:SS.nnnnnnnnn (UTC).", X.EvtTime);
        S("evt.datetime", "Event time as an ISO-8601 date and time (UTC).", X.EvtDateTime);
        N("evt.rawtime", "Event time in nanoseconds since the Unix epoch.", X.EvtRawTime);
        S("evt.dir", "Event direction: always '<' (exit events only, as in Falco >= 0.42).", X.EvtDir);
        S("evt.res", "The result: SUCCESS, or the errno name (ENOENT, EACCES...).", X.EvtRes);
        N("evt.rawres", "The raw return value: >= 0 on success, -errno on failure.", X.EvtRawRes);
        B("evt.failed", "True when the call returned an error.", X.EvtFailed);
        S("evt.source", "The event source: always 'syscall'.", X.EvtSource);
        S("evt.hostname", "The host name of the machine.", X.EvtHostname);
        B("evt.is_open_read", "True for open family calls that opened for reading.", X.EvtIsOpenRead, FileOnly);
        B("evt.is_open_write", "True for open family calls that opened for writing.", X.EvtIsOpenWrite, FileOnly);
        B("evt.is_open_exec", "True for open family calls that may create the file (O_CREAT, O_TMPFILE, creat) with an execute bit in the mode.", X.EvtIsOpenExec, FileOnly);
        S("evt.arg", "An event argument by name (evt.arg.flags, evt.arg[flags]) or index (evt.arg[0]), as Falco renders it.", X.EvtArg, arg: FieldArgMode.Required);
        S("evt.args", "All event arguments as name=value pairs.", X.EvtArgs);
        B("evt.fd_is_socket", "Harrier: for dup family events, true when the duplicated fd is a socket.", X.EvtFdIsSocket, PrivOnly);

        // proc / thread
        N("proc.pid", "Process id (thread-group id).", X.ProcPid);
        N("proc.ppid", "Parent process id.", X.ProcPpid);
        N("proc.vpid", "Process id (Harrier does not translate pid namespaces: same as proc.pid).", X.ProcPid);
        N("thread.tid", "Thread id.", X.ThreadTid);
        N("thread.vtid", "Thread id (not namespace-translated).", X.ThreadTid);
        S("thread.cap_effective", "Effective capabilities, names separated by spaces (CAP_CHOWN CAP_SYS_ADMIN ...): taken at exec, changed by capset, inherited at fork; kept per process.", X.ThreadCapEffective);
        S("thread.cap_permitted", "Permitted capabilities, as thread.cap_effective.", X.ThreadCapPermitted);
        S("thread.cap_inheritable", "Inheritable capabilities, as thread.cap_effective.", X.ThreadCapInheritable);
        S("proc.name", "Process name (comm, up to 15 characters).", X.ProcName);
        S("proc.exe", "The first command-line argument (argv[0]).", X.ProcExe);
        S("proc.exepath", "Absolute path of the executable.", X.ProcExePath);
        S("proc.args", "Command-line arguments argv[1..] joined by spaces; proc.args[N] is argv[N] alone (proc.args[1] = first argument, [0] = argv[0]).", X.ProcArgs, arg: FieldArgMode.OptionalIndex);
        S("proc.cmdline", "Process name followed by its arguments.", X.ProcCmdline);
        S("proc.cwd", "Current working directory.", X.ProcCwd);
        B("proc.is_exe_upper_layer", "True when the executable is on overlayfs in the upper (writable) layer: written or copied up after the container started (seen at exec).", X.ProcIsExeUpperLayer);
        B("proc.is_exe_lower_layer", "True when the executable is on overlayfs only in a lower (image) layer (seen at exec).", X.ProcIsExeLowerLayer);
        N("proc.tty", "Controlling terminal device number; 0 when none.", X.ProcTty);
        N("proc.sid", "Session id.", X.ProcSid);
        S("proc.sname", "Name of the session leader process.", X.ProcSname);
        N("proc.vpgid", "Process group id.", X.ProcVpgid);
        S("proc.vpgid.name", "Name of the process group leader.", X.ProcVpgidName);
        S("proc.vpgid.exe", "argv[0] of the process group leader.", X.ProcVpgidExe);
        S("proc.vpgid.exepath", "Executable path of the process group leader.", X.ProcVpgidExePath);
        B("proc.is_vpgid_leader", "True when the process leads its process group.", X.ProcIsVpgidLeader);
        B("proc.is_sid_leader", "True when the process leads its session.", X.ProcIsSidLeader);
        S("proc.env", "Environment: one variable by name (proc.env[HOME]) or all of them.", X.ProcEnv, arg: FieldArgMode.OptionalKey);
        B("proc.is_exe_from_memfd", "True when the executable was loaded from a memfd (fileless execution).", X.ProcIsExeFromMemfd);
        N("proc.duration", "Nanoseconds since the process started.", X.ProcDuration);
        N("proc.ppid.duration", "Nanoseconds since the parent process started.", X.ProcPpidDuration);
        S("proc.pname", "Name of the parent process.", X.ProcPname);
        S("proc.pexe", "argv[0] of the parent process.", X.ProcPexe);
        S("proc.pexepath", "Executable path of the parent process.", X.ProcPexePath);
        S("proc.pcmdline", "Command line of the parent process.", X.ProcPcmdline);
        var aname = S("proc.aname", "Name of the N-th ancestor (proc.aname[1] = parent, [0] = self); without an index, matches any ancestor.", X.ProcAname, arg: FieldArgMode.OptionalIndex);
        aname.NoArgVariant = new FieldInfo("proc.aname", FieldType.StringList, aname.Description, (Func<HarrierEvent, string?, IReadOnlyList<string>?>)X.ProcAnameAll, FieldArgMode.None, null);
        N("proc.apid", "Pid of the N-th ancestor.", X.ProcApid, arg: FieldArgMode.OptionalIndex);
        S("proc.aexe", "argv[0] of the N-th ancestor.", X.ProcAexe, arg: FieldArgMode.OptionalIndex);
        S("proc.aexepath", "Executable path of the N-th ancestor.", X.ProcAexePath, arg: FieldArgMode.OptionalIndex);
        S("proc.acmdline", "Command line of the N-th ancestor.", X.ProcAcmdline, arg: FieldArgMode.OptionalIndex);

        // user / group
        N("user.uid", "User id of the caller.", X.UserUid);
        S("user.name", "User name of the caller.", X.UserName);
        N("user.loginuid", "Audit login uid; -1 when unset.", X.UserLoginUid);
        S("user.loginname", "User name of the audit login uid.", X.UserLoginName);
        N("group.gid", "Group id of the caller.", X.GroupGid);
        S("group.name", "Group name of the caller.", X.GroupName);

        // container
        S("container.id", "Container id (12 characters), or 'host'.", X.ContainerId);
        S("container.type", "Container runtime (docker, containerd, cri-o, podman...), or 'host'.", X.ContainerType);
        S("container.full_id", "Full container id (64 characters), or 'host'.", X.ContainerFullId);
        S("container.name", "Container name, from the runtime's state files (docker: config.v2.json; containerd, cri-o: the CRI annotations of the OCI bundle); 'host' on the host, as in Falco.", X.ContainerName);
        S("container.image", "Container image as the container was created from it (nginx:1.25); missing when the runtime did not record it.", X.ContainerImage);
        S("container.image.repository", "Container image without tag or digest (nginx, docker.io/library/nginx).", X.ContainerImageRepository);
        S("container.image.tag", "Container image tag; latest when the image names neither tag nor digest.", X.ContainerImageTag);
        S("container.image.id", "Container image id, 12 hex characters (docker, cri-o).", X.ContainerImageId);
        S("container.image.digest", "Container image digest (sha256:...) when the image was named by digest.", X.ContainerImageDigest);
        B("container.privileged", "True for a privileged container (docker: HostConfig.Privileged; OCI bundles: every capability and no masked paths).", X.ContainerPrivileged);
        N("container.start_ts", "Container start time in nanoseconds since the epoch (docker).", X.ContainerStartTs);

        // k8s: the pod coordinates that the runtime records for a Kubernetes container (no API server connection)
        S("k8s.ns.name", "Kubernetes namespace of the pod, from the runtime's CRI annotations (or dockershim labels); missing outside Kubernetes.", X.K8sNsName);
        S("k8s.pod.name", "Kubernetes pod name, as k8s.ns.name.", X.K8sPodName);
        S("k8s.pod.uid", "Kubernetes pod uid, as k8s.ns.name.", X.K8sPodUid);
        S("k8s.pod.id", "Kubernetes pod uid (Falco's older name for k8s.pod.uid).", X.K8sPodUid);
        S("k8s.pod.sandbox_id", "The pod's sandbox container id, 12 characters (containerd, cri-o).", X.K8sPodSandboxId);
        S("k8s.pod.full_sandbox_id", "The pod's sandbox container id, full.", X.K8sPodFullSandboxId);

        // fd
        N("fd.num", "The file descriptor number (open: the returned fd; close: the closed fd; dup: the new fd).", X.FdNum, FdClasses);
        S("fd.name", "The file path, or client:port->server:port for sockets.", X.FdName, FdClasses);
        S("fd.nameraw", "The path as passed to the syscall, not normalised.", X.FdNameRaw, FdClasses);
        S("fd.directory", "The directory part of fd.name.", X.FdDirectory, FileOnly);
        S("fd.filename", "The file name part of fd.name.", X.FdFilename, FileOnly);
        S("fd.typechar", "One character for the fd type: f file, d directory, 4 IPv4, 6 IPv6, u unix, s socket of unknown family.", X.FdTypeChar, FdClasses);
        S("fd.type", "The fd type: file, directory, ipv4, ipv6, unix, socket.", X.FdType, FdClasses);
        S("fd.sockfamily", "Socket family: ip or unix.", X.FdSockFamily, SockClasses);
        S("fd.l4proto", "Transport protocol: tcp, udp, icmp, raw.", X.FdL4Proto, NetOnly);
        B("fd.connected", "True when the socket is connected (connect/accept: the call succeeded or is in progress; sendto/sendmsg: the socket had a peer).", X.FdConnected, NetOnly);
        B("fd.name_changed", "True when a sendto/sendmsg goes to another destination than the fd's last one (an unconnected UDP socket's tuple changes); false for other events.", X.FdNameChanged);
        P("fd.cip", "Client IP address.", X.FdCip);
        P("fd.sip", "Server IP address.", X.FdSip);
        P("fd.lip", "Local IP address.", X.FdLip);
        P("fd.rip", "Remote IP address.", X.FdRip);
        N("fd.cport", "Client port.", X.FdCport, SockClasses);
        N("fd.sport", "Server port.", X.FdSport, SockClasses);
        N("fd.lport", "Local port.", X.FdLport, SockClasses);
        N("fd.rport", "Remote port.", X.FdRport, SockClasses);
        Net("fd.cnet", "Client address, compared against networks (fd.cnet = 10.0.0.0/8).", X.FdCip);
        Net("fd.snet", "Server address, compared against networks.", X.FdSip);
        Net("fd.lnet", "Local address, compared against networks.", X.FdLip);
        Net("fd.rnet", "Remote address, compared against networks.", X.FdRip);
        Host("fd.cip.name", "Client IP address, compared against DNS names (fd.cip.name = example.com): true when it is one of the addresses the name resolves to. Names are resolved forward, in the background; printed as the matching name from the rules.", X.FdCip);
        Host("fd.sip.name", "Server IP address, compared against DNS names (fd.sip.name in (example.com, example.org)), as fd.cip.name.", X.FdSip);
        Host("fd.lip.name", "Local IP address, compared against DNS names, as fd.cip.name.", X.FdLip);
        Host("fd.rip.name", "Remote IP address, compared against DNS names, as fd.cip.name.", X.FdRip);
        Alias("fd.ip", FieldType.Ip, "Either the client or the server IP address.", "fd.cip", "fd.sip");
        Alias("fd.port", FieldType.Number, "Either the client or the server port.", "fd.cport", "fd.sport");
        Alias("fd.net", FieldType.Net, "Either the client or the server address, compared against networks.", "fd.cnet", "fd.snet");

        // fs.path (Falco's filesystem path fields; missing when the call failed)
        S("fs.path.name", "The absolute path a single-path file call worked on (open, mkdir, unlink, chmod, chown, truncate..., umount2).", X.FsPathName, FileAndPriv);
        S("fs.path.nameraw", "fs.path.name as passed to the call.", X.FsPathNameRaw, FileAndPriv);
        S("fs.path.source", "rename: the old path; link and symlink: the new link; mount: the device.", X.FsPathSource, FileAndPriv);
        S("fs.path.sourceraw", "fs.path.source as passed to the call.", X.FsPathSourceRaw, FileAndPriv);
        S("fs.path.target", "rename: the new path; link: the existing file; symlink: what the link points to; mount: the mount point.", X.FsPathTarget, FileAndPriv);
        S("fs.path.targetraw", "fs.path.target as passed to the call.", X.FsPathTargetRaw, FileAndPriv);

        // Harrier decisions
        S("decision.hook", "Harrier: the hook or mechanism that decided (file_open, cgroup/connect4, seccomp).", X.DecisionHook, DecisionOnly);
        S("decision.action", "Harrier: what the mechanism did (denied, killed, allowed, would-deny).", X.DecisionAction, DecisionOnly);
        S("decision.policy", "Harrier: the policy or rule that decided.", X.DecisionPolicy, DecisionOnly);
        S("decision.subject", "Harrier: the subject of the decision (a path, an address, a pid).", X.DecisionSubject, DecisionOnly);
    }

    /// <summary>Every supported field, in registry order.</summary>
    public static IReadOnlyList<FieldInfo> All => Ordered;

    /// <summary>Looks a field up by exact name (without argument). <c>evt.arg.NAME</c> resolves to <c>evt.arg</c>.</summary>
    public static bool TryGet(string name, out FieldInfo field)
    {
        if (ByName.TryGetValue(name, out field!))
        {
            return true;
        }

        if (name.StartsWith("evt.arg.", StringComparison.Ordinal) && name.Length > 8)
        {
            field = ByName["evt.arg"];
            return true;
        }

        return false;
    }

    /// <summary>Splits <c>evt.arg.flags</c> into (<c>evt.arg</c>, <c>flags</c>); other names are returned unchanged.</summary>
    internal static (string Name, string? Arg) Normalize(string name, string? arg)
        => arg is null && name.StartsWith("evt.arg.", StringComparison.Ordinal) && name.Length > 8 ? ("evt.arg", name[8..]) : (name, arg);

    /// <summary>When <paramref name="name"/> is a Falco field Harrier knows it cannot supply, the reason.</summary>
    public static string? UnsupportedReason(string name)
    {
        if (ByName.ContainsKey(name))
        {
            return null; // (k8s.ns.name and the other pod coordinates, under an otherwise unsupported prefix)
        }

        if (UnsupportedExact.TryGetValue(name, out var r))
        {
            return r;
        }

        if (name.StartsWith("evt.rawarg.", StringComparison.Ordinal))
        {
            return UnsupportedExact["evt.rawarg"];
        }

        foreach (var (prefix, reason) in UnsupportedPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) || name == prefix.TrimEnd('.'))
            {
                return reason;
            }
        }

        return null;
    }

    private static FieldInfo Add(FieldInfo f)
    {
        ByName.Add(f.Name, f);
        Ordered.Add(f);
        return f;
    }

    private static FieldInfo S(string name, string desc, Func<HarrierEvent, string?, string?> g, EventClass[]? classes = null, FieldArgMode arg = FieldArgMode.None)
        => Add(new FieldInfo(name, FieldType.String, desc, g, arg, classes));

    private static FieldInfo N(string name, string desc, Func<HarrierEvent, string?, long?> g, EventClass[]? classes = null, FieldArgMode arg = FieldArgMode.None)
        => Add(new FieldInfo(name, FieldType.Number, desc, g, arg, classes));

    private static FieldInfo B(string name, string desc, Func<HarrierEvent, string?, bool?> g, EventClass[]? classes = null)
        => Add(new FieldInfo(name, FieldType.Bool, desc, g, FieldArgMode.None, classes));

    private static FieldInfo P(string name, string desc, Func<HarrierEvent, string?, IpValue?> g)
        => Add(new FieldInfo(name, FieldType.Ip, desc, g, FieldArgMode.None, SockClasses));

    private static FieldInfo Net(string name, string desc, Func<HarrierEvent, string?, IpValue?> g)
        => Add(new FieldInfo(name, FieldType.Net, desc, g, FieldArgMode.None, SockClasses));

    private static FieldInfo Host(string name, string desc, Func<HarrierEvent, string?, IpValue?> address)
        => Add(new FieldInfo(name, FieldType.HostName, desc, (Func<HarrierEvent, string?, string?>)((e, _) => DnsNameCache.Shared.NameOf(address(e, null))), FieldArgMode.None, SockClasses)
        {
            Address = address,
        });

    private static void Alias(string name, FieldType type, string desc, params string[] anyOf)
    {
        var first = ByName[anyOf[0]];
        var f = new FieldInfo(name, type, desc, first.Getter, FieldArgMode.None, SockClasses) { AnyOf = anyOf };
        Add(f);
    }
}
