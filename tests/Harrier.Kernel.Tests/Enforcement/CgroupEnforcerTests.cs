using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Harrier.Engine.Enforcement;
using Harrier.Events;

namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>cgroup/connect4|6 and bind4|6 deny programs on the running kernel (root, cgroup v2).</summary>
public sealed class CgroupEnforcerTests : IDisposable
{
    private readonly string _cgroup;
    private readonly List<DecisionEvent> _decisions = [];
    private readonly CgroupEnforcer? _enforcer;

    public CgroupEnforcerTests()
    {
        var root = CgroupPaths.FindCgroup2Mount();
        _cgroup = Path.Combine(root ?? Path.GetTempPath(), "harrier-test-" + Guid.NewGuid().ToString("N")[..12]);
        if (root is not null && Environment.UserName == "root")
        {
            Directory.CreateDirectory(_cgroup);
            _enforcer = CgroupEnforcer.Load(ev =>
            {
                lock (_decisions)
                {
                    _decisions.Add(ev);
                }
            });
            _enforcer.Attach(_cgroup);
        }
    }

    public void Dispose()
    {
        _enforcer?.Dispose();
        if (Directory.Exists(_cgroup))
        {
            Directory.Delete(_cgroup); // rmdir: every test process has exited and been reaped
        }
    }

    /// <summary>Runs a command inside the test cgroup (it moves itself in before exec) and returns exit code and output.</summary>
    private (int Code, string Out) RunInCgroup(string program, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("echo $$ > \"$0\"/cgroup.procs && exec \"$@\"");
        psi.ArgumentList.Add(_cgroup);
        psi.ArgumentList.Add(program);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "workload timed out");
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Connect(IPAddress ip, int port) =>
        $"if exec 3<>/dev/tcp/{ip}/{port}; then echo connect-ok; else echo connect-failed; fi";

    private List<DecisionEvent> WaitForDecisions(int count)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            _enforcer!.PollDecisions(50);
            lock (_decisions)
            {
                if (_decisions.Count >= count)
                {
                    return [.. _decisions];
                }
            }
        }

        lock (_decisions)
        {
            return [.. _decisions];
        }
    }

    [CgroupBpfFact]
    public void Connect4_DeniedAddressPort_GetsEpermWhileAllowedOneSucceeds()
    {
        using var allowed = new TcpListener(IPAddress.Loopback, 0);
        using var denied = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        allowed.Start();
        denied.Start();
        int allowedPort = ((IPEndPoint)allowed.LocalEndpoint).Port;
        int deniedPort = ((IPEndPoint)denied.LocalEndpoint).Port;
        _enforcer!.AddDeny(new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("127.0.0.2/32"), Port = (ushort)deniedPort, RuleId = 7 });

        var (code, output) = RunInCgroup("bash", "-c", Connect(IPAddress.Loopback, allowedPort) + "; " + Connect(IPAddress.Parse("127.0.0.2"), deniedPort));
        Assert.Equal(0, code);
        Assert.Contains("connect-ok", output, StringComparison.Ordinal);
        Assert.Contains("connect-failed", output, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", output, StringComparison.Ordinal);
        Assert.True(ListenerAssert.Accepted(allowed));
        Assert.False(denied.Pending());

        // outside the cgroup the same destination is reachable: the deny is scoped to the attached cgroup
        using (var client = new TcpClient())
        {
            client.Connect(IPAddress.Parse("127.0.0.2"), deniedPort);
        }

        var decisions = WaitForDecisions(1);
        var d = Assert.Single(decisions);
        Assert.Equal(EventSource.Cgroup, d.Source);
        Assert.Equal(EventType.CgroupDecision, d.Type);
        Assert.Equal("cgroup/connect4", d.Hook);
        Assert.Equal("denied", d.Action);
        Assert.Equal("cgroup-7", d.Policy);
        Assert.Equal($"127.0.0.2:{deniedPort}", d.Subject);
        Assert.Equal("bash", d.Comm);
        Assert.Equal(CgroupPaths.CgroupId(_cgroup), d.CgroupId);
        Assert.Equal(-1, d.Res);
        Assert.True(d.Pid > 0);

        var stats = _enforcer.ReadStats();
        Assert.Equal(1UL, stats.Denied);
        Assert.True(stats.Checked >= 2);
        Assert.Equal(0UL, stats.Lost);
    }

    [CgroupBpfFact]
    public void Connect4_CidrAnyPort_MonitorAndRemove()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.3"), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var rule = new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("127.0.0.0/24"), RuleId = 9 };

        _enforcer!.AddDeny(rule);
        Assert.Contains("connect-failed", RunInCgroup("bash", "-c", Connect(IPAddress.Parse("127.0.0.3"), port)).Out, StringComparison.Ordinal);

        _enforcer.AddDeny(rule with { Monitor = true });
        Assert.Contains("connect-ok", RunInCgroup("bash", "-c", Connect(IPAddress.Parse("127.0.0.3"), port)).Out, StringComparison.Ordinal);

        Assert.True(_enforcer.RemoveDeny(rule));
        Assert.False(_enforcer.RemoveDeny(rule));
        Assert.Contains("connect-ok", RunInCgroup("bash", "-c", Connect(IPAddress.Parse("127.0.0.3"), port)).Out, StringComparison.Ordinal);

        var decisions = WaitForDecisions(2);
        Assert.Equal(["denied", "would-deny"], decisions.Select(d => d.Action));
        Assert.Equal(1UL, _enforcer.ReadStats().WouldDeny);
    }

    [CgroupBpfFact]
    public void RemoveExcept_EntriesNotInTheNewSet_AreRemovedOthersKept()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.5"), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int otherPort = FreePort();
        var kept = new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("127.0.0.6/32"), Port = (ushort)port, RuleId = 21 };
        var dropped = new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("127.0.0.5/32"), Port = (ushort)port, RuleId = 22 };
        var kept6 = new CgroupDenyRule { Operation = CgroupOperation.Bind, Network = IPNetwork.Parse("::/0"), Port = (ushort)otherPort, RuleId = 23 };
        var dropped6 = new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("2001:db8::/32"), RuleId = 24 };
        foreach (var r in new[] { kept, dropped, kept6, dropped6 })
        {
            _enforcer!.AddDeny(r);
        }

        Assert.Contains("connect-failed", RunInCgroup("bash", "-c", Connect(IPAddress.Parse("127.0.0.5"), port)).Out, StringComparison.Ordinal);

        // matched by key: the kept entries' values (rule id, monitor) do not matter
        Assert.Equal(2, _enforcer!.RemoveExcept([kept with { RuleId = 99 }, kept6 with { Monitor = true }]));

        Assert.Contains("connect-ok", RunInCgroup("bash", "-c", Connect(IPAddress.Parse("127.0.0.5"), port)).Out, StringComparison.Ordinal);
        Assert.False(_enforcer.RemoveDeny(dropped));
        Assert.False(_enforcer.RemoveDeny(dropped6));
        Assert.True(_enforcer.RemoveDeny(kept));
        Assert.True(_enforcer.RemoveDeny(kept6));
        Assert.Equal(0, _enforcer.RemoveExcept([]));
    }

    [CgroupBpfFact]
    public void Connect6_DeniedLoopbackPort_GetsEperm()
    {
        using var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _enforcer!.AddDeny(new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("::1/128"), Port = (ushort)port, RuleId = 11 });

        var (_, output) = RunInCgroup("bash", "-c", Connect(IPAddress.IPv6Loopback, port));
        Assert.Contains("connect-failed", output, StringComparison.Ordinal);
        Assert.False(listener.Pending());
        var d = Assert.Single(WaitForDecisions(1));
        Assert.Equal("cgroup/connect6", d.Hook);
        Assert.Equal($"::1:{port}", d.Subject);
    }

    [CgroupBpfFact]
    public void Bind4_DeniedPort_GetsEpermOtherPortsBind()
    {
        int deniedPort = FreePort();
        _enforcer!.AddDeny(new CgroupDenyRule { Operation = CgroupOperation.Bind, Network = IPNetwork.Parse("0.0.0.0/0"), Port = (ushort)deniedPort, RuleId = 13 });
        const string Script = """
            import socket, sys
            for port in (int(sys.argv[1]), 0):
                s = socket.socket()
                try:
                    s.bind(("127.0.0.1", port)); print("bind-ok", port)
                except OSError as e:
                    print("bind-failed", port, e.errno)
                s.close()
            """;
        var (code, output) = RunInCgroup("/usr/bin/python3", "-c", Script, deniedPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, code);
        Assert.Contains($"bind-failed {deniedPort} 1", output, StringComparison.Ordinal); // EPERM
        Assert.Contains("bind-ok 0", output, StringComparison.Ordinal);
        var d = Assert.Single(WaitForDecisions(1));
        Assert.Equal("cgroup/bind4", d.Hook);
        Assert.Equal("bind", d.Syscall);
        Assert.Equal($"127.0.0.1:{deniedPort}", d.Subject);
    }

    [CgroupBpfFact]
    public void Connect6_Ipv4MappedDestination_IsCheckedAgainstIpv4Entries()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.4"), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _enforcer!.AddDeny(new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("127.0.0.4/32"), Port = (ushort)port, RuleId = 15 });
        const string Script = """
            import socket, sys
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            try:
                s.connect(("::ffff:127.0.0.4", int(sys.argv[1]))); print("connect-ok")
            except OSError as e:
                print("connect-failed", e.errno)
            """;
        var (_, output) = RunInCgroup("/usr/bin/python3", "-c", Script, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("connect-failed 1", output, StringComparison.Ordinal);
        Assert.False(listener.Pending());
        var d = Assert.Single(WaitForDecisions(1));
        Assert.Equal("cgroup/connect4", d.Hook); // matched the IPv4 entry
        Assert.Equal($"127.0.0.4:{port}", d.Subject);
    }

    [CgroupBpfFact]
    public void Sendmsg4_UnconnectedUdpToDeniedDestination_GetsEperm()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 0));
        int port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        _enforcer!.AddDeny(new CgroupDenyRule { Operation = CgroupOperation.Connect, Network = IPNetwork.Parse("127.0.0.5/32"), Port = (ushort)port, RuleId = 17 });
        const string Script = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for host in ("127.0.0.5", "127.0.0.1"):
                try:
                    s.sendto(b"x", (host, int(sys.argv[1]))); print("send-ok", host)
                except OSError as e:
                    print("send-failed", host, e.errno)
            """;
        var (_, output) = RunInCgroup("/usr/bin/python3", "-c", Script, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("send-failed 127.0.0.5 1", output, StringComparison.Ordinal);
        Assert.Contains("send-ok 127.0.0.1", output, StringComparison.Ordinal);
        Assert.Equal(0, receiver.Available);
        var d = Assert.Single(WaitForDecisions(1));
        Assert.Equal("cgroup/sendmsg4", d.Hook);
        Assert.Equal("sendmsg", d.Syscall);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
