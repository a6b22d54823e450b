using System.Net;
using System.Text;
using System.Text.Json;
using Harrier.Events;
using Harrier.Host.Commands;

namespace Harrier.Host.Tests.Commands;

/// <summary>`harrier events --json`: one object per line, keyed by the field names rules use (a documented contract).</summary>
public class EventJsonWriterTests
{
    private static readonly string[] CommonKeys =
    [
        "evt.num", "evt.type", "evt.res", "evt.rawres", "evt.time", "proc.pid", "thread.tid", "proc.ppid", "proc.name",
        "proc.exepath", "proc.cmdline", "proc.args", "proc.pname", "proc.aname[2]", "proc.cwd", "proc.tty", "user.uid",
        "user.name", "user.loginuid", "group.gid", "group.name", "container.id", "container.name", "container.image",
    ];

    private static ProcessInfo Proc(ContainerInfo? container = null, string containerId = "host") => new()
    {
        Pid = 4242,
        Ppid = 1,
        Name = "curl",
        ExePath = "/usr/bin/curl",
        Args = ["curl", "-s", "http://example.test/"],
        Cwd = "/srv",
        ContainerId = containerId,
        Container = container,
        UserName = "app",
        GroupName = "app",
    };

    private static JsonElement WriteOne(HarrierEvent e)
    {
        using var ms = new MemoryStream();
        var w = new EventJsonWriter(ms, TextWriter.Null);
        w.WriteJson(e);
        w.Flush();
        string line = Encoding.UTF8.GetString(ms.ToArray());
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    [Fact]
    public void WriteJson_FileEventOnHost_CommonAndFileKeys()
    {
        var e = new FileEvent { Type = EventType.Openat, Pid = 4242, Tid = 4242, Comm = "curl", Path = "/etc/hosts", RawPath = "hosts", Fd = 3, Res = 3, Process = Proc() };

        var o = WriteOne(e);

        var keys = o.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(CommonKeys.Concat(["fd.name", "fd.nameraw", "fd.num", "evt.arg.flags", "evt.arg.mode", "fs.path.target", "evt.arg.newpath"]).Order(), keys.Order());
        Assert.Equal("openat", o.GetProperty("evt.type").GetString());
        Assert.Equal(4242, o.GetProperty("proc.pid").GetInt64());
        Assert.Equal("/etc/hosts", o.GetProperty("fd.name").GetString());
        Assert.Equal(3, o.GetProperty("fd.num").GetInt64());
        Assert.Equal("host", o.GetProperty("container.id").GetString());
        Assert.Equal("host", o.GetProperty("container.name").GetString());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("container.image").ValueKind);
    }

    [Fact]
    public void WriteJson_ExecAndPrivilegeEvents_DocumentedClassKeys()
    {
        var exec = new ProcessEvent { Type = EventType.Execve, Pid = 4242, Tid = 4242, Comm = "curl", Filename = "/usr/bin/curl", ExePath = "/usr/bin/curl", Argv = ["curl", "-s"], Process = Proc() };
        var setuid = new PrivilegeEvent { Type = EventType.Setuid, Pid = 4242, Tid = 4242, Comm = "curl", Process = Proc() };

        var o1 = WriteOne(exec);
        var o2 = WriteOne(setuid);

        Assert.Equal(CommonKeys.Concat(["evt.arg.filename", "proc.exe"]).Order(), o1.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("/usr/bin/curl", o1.GetProperty("evt.arg.filename").GetString());
        Assert.Equal(CommonKeys.Concat(["evt.args"]).Order(), o2.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public void WriteJson_ConnectInContainer_NetworkKeysAndContainerMetadata()
    {
        var container = new ContainerInfo { Name = "web", Image = "nginx:1.25", ImageRepository = "nginx", ImageTag = "1.25" };
        var e = new NetworkEvent
        {
            Type = EventType.Connect,
            Pid = 4242,
            Tid = 4242,
            Comm = "curl",
            Fd = 5,
            Domain = 2,
            SockType = 1,
            Protocol = 6,
            Local = SockAddress.FromIP(IPAddress.Parse("10.1.2.3"), 40000),
            Remote = SockAddress.FromIP(IPAddress.Parse("203.0.113.7"), 443),
            Process = Proc(container, "3f4e5a6b7c8d"),
        };

        var o = WriteOne(e);

        foreach (string k in new[] { "fd.num", "fd.name", "fd.l4proto", "fd.sockfamily", "fd.cip", "fd.cport", "fd.sip", "fd.sport" })
        {
            Assert.True(o.TryGetProperty(k, out _), k);
        }

        Assert.False(o.TryGetProperty("fd.nameraw", out _)); // a file key: not for network events
        Assert.Equal("203.0.113.7", o.GetProperty("fd.sip").GetString());
        Assert.Equal(443, o.GetProperty("fd.sport").GetInt64());
        Assert.Equal("tcp", o.GetProperty("fd.l4proto").GetString());
        Assert.Equal("3f4e5a6b7c8d", o.GetProperty("container.id").GetString());
        Assert.Equal("web", o.GetProperty("container.name").GetString());
        Assert.Equal("nginx:1.25", o.GetProperty("container.image").GetString());
    }
}
