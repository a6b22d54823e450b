using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Harrier.Events;
using Harrier.Kernel.Tests.Observation;

namespace Harrier.Kernel.Tests.Pipeline;

[CollectionDefinition(Name)]
public sealed class DefaultRulesCollection : ICollectionFixture<DefaultRulesFixture>
{
    public const string Name = "default-rules-e2e";
}

/// <summary>Harrier's default rules, including the correlation rules, on real actions (root, running kernel).</summary>
[Collection(DefaultRulesCollection.Name)]
public sealed class DefaultRulesEndToEndTests(DefaultRulesFixture fx)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [KernelFact]
    public void ManyDistinctFailedOpensUnderEtc_FiresBurstThreshold()
    {
        int pid = Python("import os\nfor i in range(25):\n    try: open('/etc/harrier-missing-%d' % i)\n    except OSError: pass\n");
        var a = fx.WaitForAlert("Burst of failed opens under /etc", x => x.Process?.Pid == pid, Wait);
        Assert.True(a is not null, "no alert; fired:\n" + fx.Fired());
        Assert.Equal(Priority.Warning, a!.Priority);
    }

    [KernelFact]
    public void FewFailedOpensUnderEtc_NoBurst()
    {
        int pid = Python("import os\nfor i in range(5):\n    try: open('/etc/harrier-missing-%d' % i)\n    except OSError: pass\n");
        Assert.Null(fx.WaitForAlert("Burst of failed opens under /etc", x => x.Process?.Pid == pid, TimeSpan.FromSeconds(1)));
    }

    [KernelFact]
    public void ReadThenLoopbackConnect_FiresSequenceThroughKernelPipeline()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int pid = Python($"import socket\nopen('/etc/hostname').read()\ns = socket.create_connection(('127.0.0.1', {port}))\ns.close()\n");
        var a = fx.WaitForAlert("Test read then loopback connect", x => x.Process?.Pid == pid, Wait);
        Assert.True(a is not null, "no alert; fired:\n" + fx.Fired());
        Assert.Equal($"read /etc/hostname then connected to 127.0.0.1:{port} (python3)", a!.Output);
    }

    [KernelFact]
    public void OpenThenClose_CloseAlertNamesTheFd()
    {
        int pid = Python("import os\nfd = os.open('/etc/hostname', os.O_RDONLY)\nos.close(fd)\nprint(fd)\n");
        var a = fx.WaitForAlert("Test close names the fd", x => x.Process?.Pid == pid, Wait);
        Assert.True(a is not null, "no alert; fired:\n" + fx.Fired());
        Assert.Matches(@"^closed /etc/hostname fd=\d+ res=SUCCESS$", a!.Output);
    }

    [KernelFact]
    public void ConnectToResolvedName_FdSipNameRuleFiresAndPrintsTheName()
    {
        Assert.True(Dns.GetHostAddresses("localhost").Contains(IPAddress.Loopback), "this machine's resolver does not map localhost to 127.0.0.1");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int pid = Python($"import socket\ns = socket.create_connection(('127.0.0.1', {port}))\ns.close()\n");
        var a = fx.WaitForAlert("Test connect to a named host", x => x.Process?.Pid == pid, Wait);
        Assert.True(a is not null, "no alert; fired:\n" + fx.Fired());
        Assert.Equal($"connected to localhost (127.0.0.1:{port})", a!.Output);
    }

    [KernelFact]
    public void ConnectToAddressOfNoRuleName_FdSipNameRuleStaysQuiet()
    {
        // 127.0.0.2 is loopback too, but not an address of localhost
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int pid = Python($"import socket\ns = socket.create_connection(('127.0.0.2', {port}))\ns.close()\n");
        Assert.Null(fx.WaitForAlert("Test connect to a named host", x => x.Process?.Pid == pid, TimeSpan.FromSeconds(1)));
    }

    private static int Python(string script)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.Id;
    }
}
