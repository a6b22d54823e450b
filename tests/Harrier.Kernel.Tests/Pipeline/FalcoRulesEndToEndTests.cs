using System.Diagnostics;
using System.Security.Cryptography;
using Harrier.Engine.Enforcement;
using Harrier.Events;
using Harrier.Kernel.Tests.Observation;

namespace Harrier.Kernel.Tests.Pipeline;

/// <summary>
/// Acceptance: with Falco's stable rules loaded, real actions on this host fire the same-named rules through the
/// whole pipeline (kernel → enrichment → rules → alert). Needs root and the built probes ([KernelFact]).
/// </summary>
[Collection(FalcoRulesCollection.Name)]
public sealed class FalcoRulesEndToEndTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10); // only a failing wait runs out
    private readonly FalcoRulesFixture _fx;
    private readonly string _dir;
    private readonly List<string> _cgroups = new();
    private readonly List<string> _mounts = new();

    public FalcoRulesEndToEndTests(FalcoRulesFixture fx)
    {
        _fx = fx;
        _dir = Directory.CreateTempSubdirectory("harrier-e2e-").FullName;
    }

    public void Dispose()
    {
        for (int i = _mounts.Count - 1; i >= 0; i--)
        {
            Run("/bin/umount", ["-l", _mounts[i]]);
        }

        Directory.Delete(_dir, recursive: true);
        foreach (string cg in _cgroups)
        {
            try
            {
                Directory.Delete(cg); // rmdir of an empty cgroup: every staged process has exited by now
            }
            catch (IOException)
            {
            }
        }
    }

    [FalcoRulesFact]
    public void ReadShadow_ByUntrustedBinary_FiresReadSensitiveFileUntrusted()
    {
        int pid = Run("/usr/bin/cat", ["/etc/shadow"]);
        AssertFired("Read sensitive file untrusted", a => a.Process?.Pid == pid && a.Output.Contains("file=/etc/shadow"));
    }

    [FalcoRulesFact]
    public void Symlink_OverShadow_FiresCreateSymlinkOverSensitiveFiles()
    {
        int pid = Run("/usr/bin/ln", ["-s", "/etc/shadow", Path.Combine(_dir, "shadow-link")]);
        AssertFired("Create Symlink Over Sensitive Files", a => a.Process?.Pid == pid && a.Output.Contains("target=/etc/shadow"));
    }

    [FalcoRulesFact]
    public void Hardlink_OfShadow_FiresCreateHardlinkOverSensitiveFiles()
    {
        int pid = Run("/usr/bin/ln", ["/etc/shadow", Path.Combine(_dir, "shadow-hard")]);
        AssertFired("Create Hardlink Over Sensitive Files", a => a.Process?.Pid == pid);
    }

    [FalcoRulesFact]
    public void LogFile_TruncatedByCopy_FiresClearLogActivities()
    {
        string log = $"/var/log/harrier-e2e-{Environment.ProcessId}.log";
        File.WriteAllText(log, "evidence\n");
        try
        {
            int pid = Run("/usr/bin/cp", ["/dev/null", log]);
            AssertFired("Clear Log Activities", a => a.Process?.Pid == pid && a.Output.Contains(log));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [FalcoRulesFact]
    public void Exec_FromDevShm_FiresExecutionFromDevShm()
    {
        string bin = $"/dev/shm/harrier-e2e-true-{Environment.ProcessId}";
        File.Copy("/bin/true", bin, overwrite: true);
        try
        {
            File.SetUnixFileMode(bin, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            int pid = Run(bin, []);
            AssertFired("Execution from /dev/shm", a => a.Process?.Pid == pid);
        }
        finally
        {
            File.Delete(bin);
        }
    }

    [FalcoRulesFact]
    public void Exec_FromMemfd_FiresFilelessExecutionViaMemfdCreate()
    {
        int pid = Run(Python(), ["-c", "import os; fd = os.memfd_create('payload'); os.write(fd, open('/bin/true', 'rb').read()); os.execve(fd, ['payload'], {})"]);
        AssertFired("Fileless execution via memfd_create", a => a.Process?.Pid == pid);
    }

    [FalcoRulesFact]
    public void PtraceAttach_ToChild_FiresPtraceAttachedToProcess()
    {
        const string script = """
            import ctypes, os, time, signal
            libc = ctypes.CDLL(None, use_errno=True)
            child = os.fork()
            if child == 0:
                time.sleep(5)
                os._exit(0)
            libc.ptrace(16, child, None, None)   # PTRACE_ATTACH
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            """;
        int pid = Run(Python(), ["-c", script]);
        AssertFired("PTRACE attached to process", a => a.Process?.Pid == pid);
    }

    [FalcoRulesFact]
    public void PtraceTraceme_FiresPtraceAntiDebugAttempt()
    {
        int pid = Run(Python(), ["-c", "import ctypes; ctypes.CDLL(None).ptrace(0, 0, None, None)"]);
        AssertFired("PTRACE anti-debug attempt", a => a.Process?.Pid == pid);
    }

    [FalcoRulesFact]
    public void Find_IdRsa_FiresSearchPrivateKeysOrPasswords()
    {
        int pid = Run("/usr/bin/find", [_dir, "-name", "id_rsa"]);
        AssertFired("Search Private Keys or Passwords", a => a.Process?.Pid == pid);
    }

    [FalcoRulesFact]
    public void Find_AwsCredentials_FiresFindAwsCredentials()
    {
        int pid = Run("/usr/bin/find", [_dir, "-path", "*/.aws/credentials"]);
        AssertFired("Find AWS Credentials", a => a.Process?.Pid == pid);
    }

    [FalcoRulesFact]
    public void ReadShadow_ThroughDotDotFromNonShell_FiresDirectoryTraversalMonitoredFileRead()
    {
        string cwd = Path.Combine(_dir, "a", "b", "c");
        Directory.CreateDirectory(cwd);
        int depth = cwd.Count(c => c == '/');
        string rel = string.Concat(Enumerable.Repeat("../", depth)) + "etc/shadow";
        int pid = Run("/usr/bin/cat", [rel], cwd);
        AssertFired("Directory traversal monitored file read", a => a.Process?.Pid == pid && a.Output.Contains("file=/etc/shadow"));
    }

    [FalcoRulesFact]
    public void Shell_SpawnedByProcessNamedNginx_FiresRunShellUntrusted()
    {
        string nginx = Path.Combine(_dir, "nginx");
        File.Copy("/bin/bash", nginx);
        int pid = Run(nginx, ["-c", "/bin/sh -c 'exit 0'; exit 0"]);
        AssertFired("Run shell untrusted", a => a.Process?.Ppid == pid && a.Output.Contains("parent=nginx"));
    }

    [FalcoRulesFact]
    public void Shred_FiresRemoveBulkDataFromDisk()
    {
        string victim = Path.Combine(_dir, "victim");
        File.WriteAllText(victim, "data");
        int pid = Run("/usr/bin/shred", ["-u", victim]);
        AssertFired("Remove Bulk Data from Disk", a => a.Process?.Pid == pid);
    }

    [FalcoRulesFact]
    public void ReadShadow_ByWebServerLongAfterStart_FiresReadSensitiveFileTrustedAfterStartup()
    {
        // proc_is_new is proc.duration <= 5 s: the process named like a web server waits past that, then opens
        // /etc/shadow itself (a redirection of the shell, not a child).
        string nginx = Copy("/bin/bash", "nginx");
        int pid = Run(nginx, ["-c", "sleep 5.3; exec 3</etc/shadow; exit 0"]);
        AssertFired("Read sensitive file trusted after startup", a => a.Process?.Pid == pid && a.Output.Contains("file=/etc/shadow"));
    }

    [FalcoRulesFact]
    public void Login_RunAsSystemUser_FiresSystemUserInteractive()
    {
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101); // the system user must reach the binary
        string login = Copy("/bin/true", "login");
        int pid = Run("/usr/bin/setpriv", ["--reuid=1", "--regid=1", "--clear-groups", login]);
        AssertFired("System user interactive", a => a.Process?.Pid == pid && a.Output.Contains("user=daemon"));
    }

    [FalcoRulesFact]
    public void Netcat_WithExecOptionInContainer_FiresNetcatRemoteCodeExecutionInContainer()
    {
        var (cgroup, id) = FakeContainer();
        string nc = Copy("/bin/bash", "nc");
        int pid = Run("/bin/bash", ["-c", $"echo $$ > {cgroup}/cgroup.procs && exec {nc} -c 'sleep 0.5; exit 0'"]);
        AssertFired("Netcat Remote Code Execution in Container", a => a.Process?.Pid == pid && a.Process.ContainerId == id);
    }

    [FalcoRulesFact]
    public void PacketSocket_InContainer_FiresPacketSocketCreatedInContainer()
    {
        var (cgroup, id) = FakeContainer();
        int pid = Run("/bin/bash", ["-c", $"echo $$ > {cgroup}/cgroup.procs && exec {Python()} -c 'import socket, time; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); time.sleep(0.3)'"]);
        AssertFired("Packet socket created in container", a => a.Process?.Pid == pid && a.Process.ContainerId == id);
    }

    [FalcoRulesFact]
    public void StdinDupedOntoTcpSocketInContainer_FiresRedirectStdoutStdinToNetworkConnection()
    {
        const string script = """
            import os, socket, time
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            conn = socket.create_connection(listener.getsockname())
            os.dup2(conn.fileno(), 0)
            time.sleep(0.2)
            """;
        var (cgroup, id) = FakeContainer();
        string py = Path.Combine(_dir, "redirect.py");
        File.WriteAllText(py, script);
        int pid = Run("/bin/bash", ["-c", $"echo $$ > {cgroup}/cgroup.procs && exec {Python()} {py}"]);
        AssertFired("Redirect STDOUT/STDIN to Network Connection in Container", a => a.Process?.Pid == pid && a.Process.ContainerId == id && a.Output.Contains("fd_type=ipv4"));
    }

    [FalcoRulesFact]
    public void ShellWithTerminal_StartedByRuncInContainer_FiresTerminalShellInContainer()
    {
        // script(1) gives the chain a pty as controlling terminal; a process named runc joins the container's cgroup
        // and starts a shell, as a container runtime's exec does.
        var (cgroup, id) = FakeContainer();
        string runc = Copy("/bin/bash", "runc");
        string stage = Path.Combine(_dir, "stage.sh");
        File.WriteAllText(stage, $"echo $$ > {cgroup}/cgroup.procs\n/bin/bash -c 'sleep 0.5; exit 0'\nexit 0\n");
        Run("/usr/bin/script", ["-qec", $"{runc} {stage}", "/dev/null"]);
        AssertFired("Terminal shell in container", a => a.Process is { Name: "bash", ContainerId: var c } && c == id && a.Output.Contains("parent=runc"));
    }

    [FalcoRulesFact]
    public void FinitModule_InContainerWithSysModule_FiresKernelModuleInjectionOnlyWithTheCapability()
    {
        // finit_module(-1, "", 0) fails with EBADF: the attempt is what the rule watches. The same program started with
        // CAP_SYS_MODULE dropped from its bounding set (so from its effective set at exec) must not fire; its later
        // release_agent write (it keeps CAP_SYS_ADMIN) shows the pipeline got past its finit_module.
        var (cgroup, id) = FakeContainer();
        string py = Path.Combine(_dir, "finit.py");
        File.WriteAllText(py, $"import ctypes\nctypes.CDLL(None, use_errno=True).syscall(313, -1, b'', 0)\nopen('{_dir}/release_agent', 'w').write('x')\n");
        int with = Run("/bin/bash", ["-c", $"echo $$ > {cgroup}/cgroup.procs && exec {Python()} {py}"]);
        AssertFired("Linux Kernel Module Injection Detected", a => a.Process?.Pid == with && a.Process.ContainerId == id);

        int without = Run("/bin/bash", ["-c", $"echo $$ > {cgroup}/cgroup.procs && exec /usr/bin/setpriv --bounding-set -sys_module {Python()} {py}"]);
        AssertFired("Detect release_agent File Container Escapes", a => a.Process?.Pid == without);
        Assert.Null(_fx.WaitForAlert("Linux Kernel Module Injection Detected", a => a.Process?.Pid == without, TimeSpan.Zero));
    }

    [FalcoRulesFact]
    public void ReleaseAgentWrite_ByRootInContainer_FiresReleaseAgentEscapeWithCapabilities()
    {
        var (cgroup, id) = FakeContainer();
        string target = Path.Combine(_dir, "release_agent");
        int pid = Run("/bin/bash", ["-c", $"echo $$ > {cgroup}/cgroup.procs && exec {Python()} -c \"open('{target}', 'w').write('/x')\""]);
        AssertFired("Detect release_agent File Container Escapes", a => a.Process?.Pid == pid && a.Process.ContainerId == id
            && a.Output.Contains("cap_effective=CAP_CHOWN ", StringComparison.Ordinal) && a.Output.Contains(" CAP_SYS_ADMIN ", StringComparison.Ordinal));
    }

    [FalcoRulesFact]
    public void Exec_BinaryDroppedIntoOverlayUpperLayerInContainer_FiresDropAndExecuteNewBinary()
    {
        // A container root as runtimes build it: overlayfs over an image layer (lower) and a writable layer (upper).
        // "lowtool" comes with the image; "dropped" is written after the start, so it lives in the upper layer.
        string root = Path.Combine(_dir, "ovl");
        Directory.CreateDirectory(root);
        Assert.Equal(0, Exit("/bin/mount", ["-t", "tmpfs", "harrier-e2e", root]));
        _mounts.Add(root);
        foreach (string d in new[] { "lower", "upper", "work", "merged" })
        {
            Directory.CreateDirectory(Path.Combine(root, d));
        }

        // (sleep, so each process outlives the enrichment's look at its /proc entry, where its container is read)
        File.Copy("/bin/sleep", Path.Combine(root, "lower", "lowtool"));
        string merged = Path.Combine(root, "merged");
        Assert.Equal(0, Exit("/bin/mount", ["-t", "overlay", "overlay", "-o", $"lowerdir={root}/lower,upperdir={root}/upper,workdir={root}/work", merged]));
        _mounts.Add(merged);
        File.Copy("/bin/sleep", Path.Combine(merged, "dropped"));
        Assert.True(File.Exists(Path.Combine(root, "upper", "dropped")));

        var (cgroup, id) = FakeContainer();
        int image = Run("/bin/bash", ["-c", $"echo $$ > {cgroup}/cgroup.procs && exec {merged}/lowtool 0.3"]);
        int dropped = Run("/bin/bash", ["-c", $"echo $$ > {cgroup}/cgroup.procs && exec {merged}/dropped 0.3"]);
        AssertFired("Drop and execute new binary in container", a => a.Process?.Pid == dropped && a.Process.ContainerId == id);
        Assert.Null(_fx.WaitForAlert("Drop and execute new binary in container", a => a.Process?.Pid == image, TimeSpan.Zero));
    }

    [FalcoRulesFact]
    public void Debugfs_InPrivilegedContainer_FiresDebugfsLaunchedInPrivilegedContainerOnlyThere()
    {
        // docker's hostconfig.json says whether the container is privileged: the same debugfs in an unprivileged one
        // must stay quiet. (sleep under the name debugfs, so the process outlives the look at its /proc entry)
        string debugfs = Copy("/bin/sleep", "debugfs");
        var (privCgroup, privId) = FakeContainer("""{"Name":"/rescue","Config":{"Image":"debian:12"}}""", privileged: true);
        var (plainCgroup, _) = FakeContainer("""{"Name":"/plain","Config":{"Image":"debian:12"}}""", privileged: false);
        int plain = Run("/bin/bash", ["-c", $"echo $$ > {plainCgroup}/cgroup.procs && exec {debugfs} 0.3"]);
        int priv = Run("/bin/bash", ["-c", $"echo $$ > {privCgroup}/cgroup.procs && exec {debugfs} 0.3"]);

        AssertFired("Debugfs Launched in Privileged Container", a => a.Process?.Pid == priv && a.Process.ContainerId == privId
            && a.Process.ContainerName == "rescue" && a.Process.ContainerImage == "debian" && a.Process.ContainerImageTag == "12");
        Assert.Null(_fx.WaitForAlert("Debugfs Launched in Privileged Container", a => a.Process?.Pid == plain, TimeSpan.Zero));
    }

    [FalcoRulesFact]
    public void Connect_ToKubernetesApiServerFromContainer_FiresContactK8sApiServerUnlessKubeSystem()
    {
        // fd.sip.name = kubernetes.default.svc.cluster.local: the fixture resolves that name to 127.0.0.3. A container
        // whose runtime labels put it in kube-system is one of Falco's k8s_containers and stays quiet.
        using var listener = new System.Net.Sockets.TcpListener(FalcoRulesFixture.KubernetesApiAddress, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        string connect = $"import socket, time; s = socket.create_connection(('{FalcoRulesFixture.KubernetesApiAddress}', {port})); time.sleep(0.3)";
        var (appCgroup, appId) = FakeContainer("""{"Name":"/app","Config":{"Image":"alpine:3.20"}}""");
        var (sysCgroup, _) = FakeContainer("""{"Name":"/dns","Config":{"Image":"coredns:1.11","Labels":{"io.kubernetes.pod.namespace":"kube-system","io.kubernetes.pod.name":"coredns-0"}}}""");
        int system = Run("/bin/bash", ["-c", $"echo $$ > {sysCgroup}/cgroup.procs && exec {Python()} -c \"{connect}\""]);
        int app = Run("/bin/bash", ["-c", $"echo $$ > {appCgroup}/cgroup.procs && exec {Python()} -c \"{connect}\""]);

        AssertFired("Contact K8S API Server From Container", a => a.Process?.Pid == app && a.Process.ContainerId == appId
            && a.Output.Contains($"->{FalcoRulesFixture.KubernetesApiAddress}:{port}", StringComparison.Ordinal));
        Assert.Null(_fx.WaitForAlert("Contact K8S API Server From Container", a => a.Process?.Pid == system, TimeSpan.Zero));
    }

    [FalcoRulesOutboundFact]
    public void Ssh_ConnectingOutToPort443_FiresDisallowedSshConnectionNonStandardPort()
    {
        // An "ssh" starting a connection to an outside address on 443 (a reverse-shell favourite): the non-blocking
        // connect returns EINPROGRESS, which the rule's outbound macro accepts.
        string ssh = Copy(Python(), "ssh");
        string ip = FalcoRulesOutboundFactAttribute.Unanswered.ToString();
        int pid = Run(ssh, ["-c", $"import socket, time; s = socket.socket(); s.setblocking(False); s.connect_ex(('{ip}', 443)); time.sleep(0.3)"]);
        AssertFired("Disallowed SSH Connection Non Standard Port", a => a.Process?.Pid == pid && a.Output.Contains("connection=", StringComparison.Ordinal)
            && a.Output.Contains($"->{ip}:443", StringComparison.Ordinal) && a.Output.Contains("rport=443", StringComparison.Ordinal));
    }

    /// <summary>A cgroup named as docker names a container's (docker-ID.scope): Harrier's container fields see a
    /// process that joins it as running in container ID, without a container runtime on the host. With
    /// <paramref name="config"/>, docker's state files for the container (config.v2.json, and hostconfig.json saying
    /// <paramref name="privileged"/>) are written where the fixture's metadata reader looks.</summary>
    private (string Cgroup, string ShortId) FakeContainer(string? config = null, bool privileged = false)
    {
        string mount = CgroupPaths.FindCgroup2Mount() ?? throw new InvalidOperationException("no cgroup2 mount on this host");
        string full = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        if (config is not null)
        {
            string state = Path.Combine(_fx.DockerRoot, "containers", full);
            Directory.CreateDirectory(state);
            File.WriteAllText(Path.Combine(state, "config.v2.json"), config);
            File.WriteAllText(Path.Combine(state, "hostconfig.json"), $"{{\"Privileged\":{(privileged ? "true" : "false")}}}");
        }

        string dir = Path.Combine(mount, $"docker-{full}.scope");
        Directory.CreateDirectory(dir);
        _cgroups.Add(dir);
        return (dir, full[..12]);
    }

    private string Copy(string source, string name)
    {
        string path = Path.Combine(_dir, name);
        File.Copy(source, path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    private void AssertFired(string rule, Func<Alert, bool> match)
    {
        Assert.NotNull(_fx.RuleSet);
        Assert.Contains(_fx.RuleSet!.Rules, r => r.Name == rule);
        var alert = _fx.WaitForAlert(rule, match, Wait);
        Assert.True(alert is not null, $"'{rule}' did not fire within {Wait.TotalSeconds} s; fired:\n{_fx.Fired()}");
        Assert.Equal("harrier-test", alert!.Hostname);
        Assert.Equal("syscall", alert.Source);
    }

    private static int Run(string file, string[] args, string? cwd = null)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (cwd is not null)
        {
            psi.WorkingDirectory = cwd;
        }

        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.Id;
    }

    private static int Exit(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }

    private static string Python() =>
        new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("python3 is needed for this test (scripts/deps.sh installs it)");
}
