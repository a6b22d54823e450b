using Harrier.Events;

namespace Harrier.Rules.Tests;

/// <summary>Operators, transformers, field arguments and Falco's missing-field semantics, through EventFilter.</summary>
public class FilterSemanticsTests
{
    private static readonly ProcessInfo Init = Ev.Proc("systemd", "/usr/lib/systemd/systemd", pid: 1, uid: 0);
    private static readonly ProcessInfo Nginx = Ev.Proc("nginx", "/usr/sbin/nginx", new[] { "-g", "daemon off;" }, Init, pid: 50, uid: 33);
    private static readonly ProcessInfo Bash = Ev.Proc("bash", "/usr/bin/bash", new[] { "-c", "cat /etc/shadow" }, Nginx, pid: 60, uid: 33);

    private static HarrierEvent Exec()
    {
        var e = Ev.Exec(Bash);
        Bash.Env = new[] { "HOME=/var/www", "PATH=/usr/bin" };
        return e;
    }

    private static HarrierEvent OpenShadow() => Ev.Open(Bash, "/etc/shadow", flags: 0x80000);

    private static HarrierEvent OpenWriteTrunc() => Ev.Open(Bash, "/var/log/auth.log", flags: 0x241);

    private static HarrierEvent ConnectOut() => Ev.Connect(Bash, "203.0.113.7", 4444);

    private static bool Eval(string condition, HarrierEvent e) => EventFilter.Compile(condition)(e);

    [Theory]
    // equality and inequality
    [InlineData("proc.name = bash", true)]
    [InlineData("proc.name == bash", true)]
    [InlineData("proc.name = BASH", false)]
    [InlineData("proc.name != sh", true)]
    [InlineData("proc.name != bash", false)]
    [InlineData("proc.pid = 60", true)]
    [InlineData("proc.pid != 60", false)]
    [InlineData("proc.pid < 61", true)]
    [InlineData("proc.pid <= 60", true)]
    [InlineData("proc.pid > 60", false)]
    [InlineData("proc.pid >= 60", true)]
    [InlineData("proc.pid = 0x3c", true)]
    [InlineData("proc.pid in (1, 60, 70)", true)]
    [InlineData("proc.pid in (1, 2)", false)]
    // string operators
    [InlineData("proc.cmdline contains shadow", true)]
    [InlineData("proc.cmdline contains SHADOW", false)]
    [InlineData("proc.cmdline icontains SHADOW", true)]
    [InlineData("proc.exepath startswith /usr/", true)]
    [InlineData("proc.exepath endswith /bash", true)]
    [InlineData("proc.exepath bcontains 2f62696e", true)]
    [InlineData("proc.exepath bstartswith 2f757372", true)]
    [InlineData("proc.exepath bstartswith 2f62696e", false)]
    [InlineData("proc.exepath glob '/usr/*/ba?h'", true)]
    [InlineData("proc.exepath glob '/usr/[a-c]in/*'", true)]
    [InlineData("proc.exepath glob '/usr/[!b]in/*'", false)]
    [InlineData("proc.exepath glob '/usr/*'", true)]
    [InlineData("proc.exepath glob '/opt/*'", false)]
    [InlineData("proc.exepath iglob '/USR/BIN/*'", true)]
    [InlineData("proc.exepath regex '/usr/bin/ba.h'", true)]
    [InlineData("proc.exepath regex 'bin/ba.h'", false)]
    [InlineData("proc.exepath regex '.*bin/ba.h'", true)]
    [InlineData("proc.name in (sh, bash, zsh)", true)]
    [InlineData("proc.name in (sh, zsh)", false)]
    [InlineData("proc.name intersects (bash)", true)]
    [InlineData("proc.exepath pmatch (/usr/bin)", true)]
    [InlineData("proc.exepath pmatch (/usr/bi)", false)]
    [InlineData("proc.exepath pmatch (/usr/bin/bash)", true)]
    [InlineData("proc.exepath pmatch (/usr)", true)]
    [InlineData("proc.exepath pmatch (/)", true)]
    [InlineData("proc.name exists", true)]
    // ancestors
    [InlineData("proc.pname = nginx", true)]
    [InlineData("proc.aname[1] = nginx", true)]
    [InlineData("proc.aname[2] = systemd", true)]
    [InlineData("proc.aname[0] = bash", true)]
    [InlineData("proc.aname[3] exists", false)]
    [InlineData("proc.aname = systemd", true)]
    [InlineData("proc.aname = nginx", true)]
    [InlineData("proc.aname = bash", false)]
    [InlineData("proc.aname != bash", true)]
    [InlineData("proc.aname != nginx", true)]
    [InlineData("proc.aname in (nginx, systemd)", true)]
    [InlineData("proc.aname in (nginx)", true)]
    [InlineData("proc.aname in (bash, zsh)", false)]
    [InlineData("proc.aname intersects (nginx, foo)", true)]
    [InlineData("proc.aname startswith ngi", true)]
    [InlineData("proc.apid[1] = 50", true)]
    [InlineData("proc.aexepath[2] = /usr/lib/systemd/systemd", true)]
    [InlineData("proc.pcmdline = \"nginx -g daemon off;\"", true)]
    [InlineData("proc.cmdline = \"bash -c cat /etc/shadow\"", true)]
    [InlineData("proc.args = \"-c cat /etc/shadow\"", true)]
    [InlineData("proc.exe = bash", true)]
    [InlineData("proc.args[1] = -c", true)]
    [InlineData("proc.args[2] = \"cat /etc/shadow\"", true)]
    [InlineData("proc.args[0] = bash", true)]
    [InlineData("proc.args[3] exists", false)]
    [InlineData("proc.args[3] != x", false)]
    [InlineData("proc.args[1] in (-e, -c)", true)]
    // env
    [InlineData("proc.env[HOME] = /var/www", true)]
    [InlineData("proc.env[NOPE] exists", false)]
    [InlineData("proc.env contains \"PATH=\"", true)]
    // transformers and val()
    [InlineData("toupper(proc.name) = BASH", true)]
    [InlineData("tolower(toupper(proc.name)) = bash", true)]
    [InlineData("basename(proc.exepath) = bash", true)]
    [InlineData("len(proc.name) = 4", true)]
    [InlineData("len(proc.aname) = 2", true)]
    [InlineData("b64(proc.env[B64]) exists", false)]
    [InlineData("join(\",\", proc.aname) = \"nginx,systemd\"", true)]
    [InlineData("concat(proc.name, \":\", proc.pname) = \"bash:nginx\"", true)]
    [InlineData("proc.name = val(proc.aname[0])", true)]
    [InlineData("proc.name = val(proc.pname)", false)]
    [InlineData("proc.name != val(proc.pname)", true)]
    [InlineData("proc.pid > val(proc.ppid)", true)]
    [InlineData("proc.exepath endswith val(proc.name)", true)]
    // getopt: option letters of proc.args ("-c cat /etc/shadow"), as a set
    [InlineData("getopt(proc.args, \"c:\") intersects (c, e)", true)]
    [InlineData("getopt(proc.args, \"c:\") in (c, e)", true)]
    [InlineData("getopt(proc.args, \"xc:\") in (x)", false)]
    [InlineData("getopt(proc.args, \"e:\") intersects (e)", false)]
    [InlineData("getopt(proc.args, \"c:\") = c", true)]
    [InlineData("len(getopt(proc.args, \"c:\")) = 1", true)]
    [InlineData("join(\",\", getopt(proc.args, \"lc:\")) = c", true)]
    // list modifiers (Falco 0.42+): sugar for or / and / exactly one
    [InlineData("proc.cmdline startswith anyof (\"zsh\", \"bash -c\")", true)]
    [InlineData("proc.cmdline startswith anyof (zsh, fish)", false)]
    [InlineData("proc.cmdline contains allof (cat, shadow)", true)]
    [InlineData("proc.cmdline contains allof (cat, passwd)", false)]
    [InlineData("proc.cmdline contains oneof (cat, passwd)", true)]
    [InlineData("proc.cmdline contains oneof (cat, shadow)", false)]
    [InlineData("proc.cmdline contains oneof (dog, passwd)", false)]
    [InlineData("proc.name != anyof (bash, sh)", true)]
    [InlineData("proc.name != allof (bash, sh)", false)]
    [InlineData("proc.name = anyof (sh, bash)", true)]
    [InlineData("proc.exepath glob anyof ('/opt/*', '/usr/bin/*')", true)]
    [InlineData("proc.exepath regex allof ('.*bash', '/usr/.*')", true)]
    [InlineData("fd.name startswith anyof (/etc, /usr)", false)]
    [InlineData("fd.name != anyof (a, b)", false)]
    [InlineData("proc.name = anyof", false)]
    // events and users
    [InlineData("evt.type = execve", true)]
    [InlineData("evt.type in (execve, execveat)", true)]
    [InlineData("evt.type != execve", false)]
    [InlineData("evt.type = openat", false)]
    [InlineData("evt.type = pipe", false)]
    [InlineData("evt.dir = <", true)]
    [InlineData("evt.dir = >", false)]
    [InlineData("evt.res = SUCCESS", true)]
    [InlineData("evt.rawres = 0", true)]
    [InlineData("user.uid = 33", true)]
    [InlineData("user.loginuid = -1", true)]
    [InlineData("container.id = host", true)]
    [InlineData("evt.source = syscall", true)]
    // precedence
    [InlineData("proc.name = sh or proc.name = bash and proc.pid = 60", true)]
    [InlineData("(proc.name = sh or proc.name = bash) and proc.pid = 1", false)]
    [InlineData("not proc.name = sh and proc.pid = 60", true)]
    [InlineData("not (proc.name = bash and proc.pid = 1)", true)]
    [InlineData("not proc.name = bash or proc.pid = 60", true)]
    public void Exec_Condition_EvaluatesAsFalco(string condition, bool expected)
        => Assert.Equal(expected, Eval(condition, Exec()));

    [Theory]
    // missing fields: every check is false, including != ; 'not' of it is true
    [InlineData("fd.name = x", false)]
    [InlineData("fd.name != x", false)]
    [InlineData("fd.name exists", false)]
    [InlineData("not fd.name exists", true)]
    [InlineData("not fd.name = x", true)]
    [InlineData("fd.num >= 0", false)]
    [InlineData("fd.num < 0", false)]
    [InlineData("fd.sip = 1.2.3.4", false)]
    [InlineData("fd.sip != 1.2.3.4", false)]
    [InlineData("container.image != foo", false)]
    [InlineData("container.image.repository in (a, b)", false)]
    [InlineData("evt.arg.nope = 1", false)]
    [InlineData("evt.arg.nope != 1", false)]
    public void Exec_MissingField_IsFalse(string condition, bool expected)
        => Assert.Equal(expected, Eval(condition, Exec()));

    [Theory]
    [InlineData(EventType.Openat, "fs.path.name = /etc/shadow and fs.path.nameraw = /etc/shadow", true)]
    [InlineData(EventType.Openat, "fs.path.source exists or fs.path.target exists", false)]
    [InlineData(EventType.Renameat2, "fs.path.source = /tmp/a and fs.path.sourceraw = a and fs.path.target = /etc/b and fs.path.targetraw = ../etc/b", true)]
    [InlineData(EventType.Renameat2, "fs.path.name exists", false)]
    [InlineData(EventType.Linkat, "fs.path.source = /etc/b and fs.path.target = /tmp/a", true)] // link: the new link is the source
    [InlineData(EventType.Symlinkat, "fs.path.source = /etc/b and fs.path.target = /tmp/a", true)] // symlink: target = what it points to
    public void FsPath_PerCall_AsFalcoNamesThem(EventType type, string condition, bool expected)
    {
        var e = type == EventType.Openat
            ? Ev.Open(Bash, "/etc/shadow")
            : new FileEvent { Path = "/tmp/a", RawPath = "a", NewPath = "/etc/b", NewRawPath = "../etc/b", Type = type, Pid = 60, Tid = 60, Comm = "bash", Process = Bash };
        if (type == EventType.Openat)
        {
            e.RawPath = "/etc/shadow";
        }

        Assert.Equal(expected, Eval(condition, e));
    }

    [Theory]
    [InlineData(EventType.Openat, 0x41, 0x1ed, true)] // O_WRONLY|O_CREAT, 0755
    [InlineData(EventType.Openat, 0x41, 0x1a4, false)] // 0644
    [InlineData(EventType.Openat, 0x1, 0x1ed, false)] // no O_CREAT: the mode is ignored by the kernel
    [InlineData(EventType.Openat2, 0x410002, 0x1c0, true)] // O_TMPFILE|O_RDWR, 0700
    [InlineData(EventType.Creat, 0x241, 0x40, true)] // creat 0100
    [InlineData(EventType.Creat, 0x241, 0x180, false)] // creat 0600
    public void EvtIsOpenExec_CreateWithExecBit_AsFalco(EventType type, long flags, int mode, bool expected)
    {
        var e = Ev.Open(Bash, "/tmp/payload", flags: flags, type: type);
        e.Mode = (uint)mode;
        Assert.Equal(expected, Eval("evt.is_open_exec = true", e));
    }

    [Fact]
    public void FsPath_MountAndUmount_DeviceOntoMountPoint()
    {
        var mount = Ev.Priv(Bash, EventType.Mount, init: p => { p.Name = "/dev/sdb1"; p.TargetPath = "/mnt/x"; p.FsType = "ext4"; });
        var umount = Ev.Priv(Bash, EventType.Umount2, init: p => p.TargetPath = "/mnt/x");

        Assert.True(Eval("fs.path.source = /dev/sdb1 and fs.path.target = /mnt/x and not fs.path.name exists", mount));
        Assert.True(Eval("fs.path.name = /mnt/x and not fs.path.target exists", umount));
    }

    [Fact]
    public void FsPath_FailedCall_Missing()
    {
        var e = Ev.Open(Bash, "/etc/shadow", res: -13);
        Assert.False(Eval("fs.path.name exists", e));
        Assert.True(Eval("fd.name = /etc/shadow", e));
    }

    [Theory]
    [InlineData("container.name = host", true)]
    [InlineData("container.name != foo", true)]
    [InlineData("container.id = host and container.full_id = host", true)]
    [InlineData("container.image exists", false)]
    [InlineData("container.privileged = false", false)]
    [InlineData("k8s.ns.name != kube-system", false)]
    public void Exec_OnHost_ContainerFieldsAsFalco(string condition, bool expected)
        => Assert.Equal(expected, Eval(condition, Exec()));

    [Theory]
    [InlineData("fd.name = /etc/shadow", true)]
    [InlineData("fd.nameraw = /etc/shadow", true)]
    [InlineData("fd.directory = /etc", true)]
    [InlineData("fd.filename = shadow", true)]
    [InlineData("fd.typechar = f", true)]
    [InlineData("fd.type = file", true)]
    [InlineData("fd.num = 3", true)]
    [InlineData("evt.is_open_read = true", true)]
    [InlineData("evt.is_open_write = true", false)]
    [InlineData("evt.arg.flags contains O_CLOEXEC", true)]
    [InlineData("evt.arg.flags startswith O_RDONLY", true)]
    [InlineData("evt.arg[flags] contains O_CLOEXEC", true)]
    [InlineData("evt.arg.name = /etc/shadow", true)]
    [InlineData("evt.arg[0] = 3", true)]
    [InlineData("evt.arg[2] = /etc/shadow", true)]
    [InlineData("evt.arg[9] exists", false)]
    [InlineData("proc.args[1] = -c", true)]
    [InlineData("proc.args[0] = bash", true)]
    [InlineData("proc.args[2] startswith cat", true)]
    [InlineData("proc.args[3] exists", false)]
    [InlineData("evt.type = openat and fd.name pmatch (/etc)", true)]
    public void Open_Condition_EvaluatesAsFalco(string condition, bool expected)
        => Assert.Equal(expected, Eval(condition, OpenShadow()));

    [Theory]
    [InlineData("evt.is_open_write = true", true)]
    [InlineData("evt.arg.flags contains O_TRUNC", true)]
    [InlineData("evt.arg.flags contains O_CREAT", true)]
    [InlineData("evt.arg.flags startswith O_WRONLY", true)]
    public void OpenWrite_Flags_RenderedAsFalco(string condition, bool expected)
        => Assert.Equal(expected, Eval(condition, OpenWriteTrunc()));

    [Theory]
    [InlineData("fd.sip = 203.0.113.7", true)]
    [InlineData("fd.rip = 203.0.113.7", true)]
    [InlineData("fd.sport = 4444", true)]
    [InlineData("fd.rport = 4444", true)]
    [InlineData("fd.cip = 10.1.2.3", true)]
    [InlineData("fd.lport = 40000", true)]
    [InlineData("fd.snet = 203.0.113.0/24", true)]
    [InlineData("fd.snet = 10.0.0.0/8", false)]
    [InlineData("fd.snet != 10.0.0.0/8", true)]
    [InlineData("fd.cnet = 10.0.0.0/8", true)]
    [InlineData("fd.net = 10.0.0.0/8", true)]
    [InlineData("fd.net = 192.168.0.0/16", false)]
    [InlineData("fd.net in (192.168.0.0/16, 203.0.113.0/24)", true)]
    [InlineData("fd.ip = 203.0.113.7", true)]
    [InlineData("fd.port = 40000", true)]
    [InlineData("fd.sip in (1.1.1.1, 203.0.113.7)", true)]
    [InlineData("fd.l4proto = tcp", true)]
    [InlineData("fd.sockfamily = ip", true)]
    [InlineData("fd.typechar = 4", true)]
    [InlineData("fd.type = ipv4", true)]
    [InlineData("fd.name = \"10.1.2.3:40000->203.0.113.7:4444\"", true)]
    [InlineData("fd.connected = true", true)]
    [InlineData("evt.arg[0] = 0", true)]
    [InlineData("evt.arg[1] = \"10.1.2.3:40000->203.0.113.7:4444\"", true)]
    [InlineData("evt.arg[2] = 5", true)]
    [InlineData("evt.arg.fd = 5", true)]
    public void Connect_Condition_EvaluatesAsFalco(string condition, bool expected)
        => Assert.Equal(expected, Eval(condition, ConnectOut()));

    [Theory]
    [InlineData(EventType.Accept4, "evt.arg[0] = 7 and evt.arg.fd = 7", true)]
    [InlineData(EventType.Accept4, "evt.arg[1] = \"203.0.113.7:4444->10.1.2.3:40000\"", true)] // accepted: the peer is the client
    [InlineData(EventType.Accept4, "evt.arg.queuepct exists", false)]
    [InlineData(EventType.Bind, "evt.arg[0] = 7 and evt.arg[1] = \"10.1.2.3:40000\" and evt.arg[2] = 5", true)]
    [InlineData(EventType.Listen, "evt.arg[0] = 7 and evt.arg[1] = 5 and evt.arg.backlog = 128", true)]
    [InlineData(EventType.Sendto, "evt.arg[0] = 7 and evt.arg[2] = 5 and evt.arg[3] = 64", true)]
    [InlineData(EventType.Sendto, "evt.arg.data exists", false)]
    [InlineData(EventType.Sendto, "evt.arg[4] = \"10.1.2.3:40000->203.0.113.7:4444\"", true)]
    public void NetworkCalls_EvtArgPositions_FollowFalcosParameterOrder(EventType type, string condition, bool expected)
    {
        var e = Ev.Connect(Bash, "203.0.113.7", 4444, res: 7);
        e.Type = type;
        e.Backlog = 128;
        e.Size = 64;
        Assert.Equal(expected, Eval(condition, e));
    }

    [Theory]
    [InlineData("thread.cap_effective contains CAP_SYS_ADMIN", true)]
    [InlineData("thread.cap_effective icontains sys_module", true)]
    [InlineData("thread.cap_effective contains CAP_NET_RAW", false)]
    [InlineData("thread.cap_effective = \"CAP_SYS_MODULE CAP_SYS_ADMIN\"", true)]
    [InlineData("thread.cap_permitted contains CAP_NET_RAW", true)]
    [InlineData("thread.cap_inheritable = \"\"", true)]
    public void ThreadCaps_NamesOfSetBits_AsFalcoPrintsThem(string condition, bool expected)
    {
        var p = Ev.Proc("insmod", "/usr/sbin/insmod", [], null, pid: 70, uid: 0);
        p.Caps = new Capabilities((1UL << 16) | (1UL << 21), (1UL << 16) | (1UL << 21) | (1UL << 13), 0);
        Assert.Equal(expected, Eval(condition, Ev.Open(p, "/lib/modules/x.ko")));
    }

    [Theory]
    [InlineData("thread.cap_effective contains CAP_SYS_ADMIN")]
    [InlineData("thread.cap_effective != CAP_SYS_ADMIN")]
    public void ThreadCaps_Unknown_AreMissingSoEveryCheckIsFalse(string condition)
        => Assert.False(Eval(condition, Ev.Open(Ev.Proc("cat", "/usr/bin/cat", [], null, pid: 71), "/etc/hosts")));

    [Theory]
    [InlineData(OverlayLayer.Upper, "proc.is_exe_upper_layer = true", true)]
    [InlineData(OverlayLayer.Upper, "proc.is_exe_lower_layer = true", false)]
    [InlineData(OverlayLayer.Lower, "proc.is_exe_lower_layer = true", true)]
    [InlineData(OverlayLayer.Lower, "proc.is_exe_upper_layer = false", true)]
    [InlineData(OverlayLayer.None, "proc.is_exe_upper_layer = false and proc.is_exe_lower_layer = false", true)]
    public void ProcIsExeLayer_FromTheExecEventAndTheProcess(OverlayLayer layer, string condition, bool expected)
    {
        var p = Ev.Proc("dropped", "/tmp/dropped", [], null, pid: 72);
        var exec = new ProcessEvent { Type = EventType.Execve, Pid = 72, Tid = 72, Comm = "dropped", Process = p, ExeLayer = layer };
        Assert.Equal(expected, Eval(condition, exec)); // the exec event carries it itself
        p.ExeLayer = layer;
        Assert.Equal(expected, Eval(condition, Ev.Open(p, "/etc/hosts"))); // later events read the process table
    }

    [Theory]
    [InlineData(true, false, "fd.name_changed = true and fd.connected = false", true)]
    [InlineData(false, false, "fd.name_changed = true", false)]
    [InlineData(true, true, "fd.connected = true", true)]
    public void Sendto_NameChangedAndConnected_AsTheOutboundMacroReadsThem(bool changed, bool connected, string condition, bool expected)
    {
        var e = Ev.Connect(Bash, "203.0.113.7", 53);
        e.Type = EventType.Sendto;
        e.Res = 40;
        e.NameChanged = changed;
        e.SocketConnected = connected;
        Assert.Equal(expected, Eval(condition, e));
    }

    [Fact]
    public void FdNameChanged_OtherEvents_False()
    {
        Assert.True(Eval("fd.name_changed = false", ConnectOut()));
        Assert.True(Eval("fd.name_changed = false", Ev.Open(Bash, "/etc/hosts")));
    }

    [Fact]
    public void Capabilities_ToNamesAndBitOf_RoundTrip()
    {
        Assert.Equal("CAP_CHOWN CAP_SYS_ADMIN CAP_CHECKPOINT_RESTORE CAP_41", Capabilities.ToNames(1UL | (1UL << 21) | (1UL << 40) | (1UL << 41)));
        Assert.Equal(string.Empty, Capabilities.ToNames(0));
        Assert.Equal(16, Capabilities.BitOf("sys_module"));
        Assert.Equal(21, Capabilities.BitOf("CAP_SYS_ADMIN"));
        Assert.Equal(-1, Capabilities.BitOf("CAP_NOPE"));
        for (int bit = 0; bit <= 40; bit++)
        {
            Assert.Equal(bit, Capabilities.BitOf(Capabilities.ToNames(1UL << bit)));
        }
    }

    [Fact]
    public void Ipv6_Net_Matches()
    {
        var e = Ev.Connect(Bash, "2001:db8::5", 443);
        Assert.True(Eval("fd.snet = 2001:db8::/32", e));
        Assert.False(Eval("fd.snet = 10.0.0.0/8", e));
        Assert.True(Eval("fd.typechar = 6", e));
    }

    [Theory]
    [InlineData(2, "fd.type = ipv4 and fd.typechar = 4 and fd.sockfamily = ip", true)]
    [InlineData(2, "fd.sip = 203.0.113.9 and fd.sport = 4444 and fd.lport = 40000 and fd.rip = 203.0.113.9", true)]
    [InlineData(2, "fd.snet = 203.0.113.0/24 and fd.ip = 10.1.2.3 and fd.port = 4444", true)]
    [InlineData(10, "fd.type = ipv6", true)]
    [InlineData(1, "fd.type = unix", true)]
    [InlineData(1, "fd.sip exists", false)]
    [InlineData(1, "fd.sip != 1.2.3.4", false)]
    [InlineData(0, "fd.type = socket", true)]
    public void Dup_SocketFd_TypedAndAddressedAsFalco(int family, string condition, bool expected)
    {
        var e = Ev.Dup2(Bash, 3, 1, socket: true);
        e.FdSocketFamily = family;
        if (family == 2)
        {
            e.FdLocal = SockAddress.FromIP(System.Net.IPAddress.Parse("10.1.2.3"), 40000);
            e.FdRemote = SockAddress.FromIP(System.Net.IPAddress.Parse("203.0.113.9"), 4444);
        }

        Assert.Equal(expected, Eval(condition, e));
    }

    [Fact]
    public void Ptrace_Request_RenderedAsName()
    {
        var e = Ev.Priv(Bash, EventType.Ptrace, init: p => { p.Request = 16; p.Target = 99; });
        Assert.True(Eval("evt.arg.request = PTRACE_ATTACH and evt.arg.pid = 99", e));
    }

    [Fact]
    public void FailedCall_ResIsErrnoName()
    {
        var e = Ev.Open(Bash, "/etc/shadow", res: -13);
        Assert.True(Eval("evt.res = EACCES and evt.rawres < 0 and evt.failed = true and fd.num = -1", e));
        Assert.True(Eval("evt.res startswith E", e));
    }

    [Theory]
    [InlineData("proc.nam = bash", "unknown field 'proc.nam'")]
    [InlineData("k8s.pod.labels = x", "not supported by Harrier")]
    [InlineData("proc.name < 3", "not supported for string fields")]
    [InlineData("proc.pid contains 3", "not supported for numeric fields")]
    [InlineData("proc.pid = abc", "'abc' is not a number")]
    [InlineData("evt.is_open_read = maybe", "not a boolean")]
    [InlineData("fd.sip = 300.1.1.1", "not an IP address")]
    [InlineData("proc.name regex '('", "invalid regular expression")]
    [InlineData("proc.name bcontains zz", "hex")]
    [InlineData("proc.name[1] = a", "does not take an argument")]
    [InlineData("proc.args[x] = a", "non-negative index")]
    [InlineData("proc.aname[x] = a", "non-negative index")]
    [InlineData("evt.arg = a", "requires an argument")]
    [InlineData("tolower(proc.pid) = a", "needs a string argument")]
    [InlineData("getopt(proc.args) = a", "takes a string field and a quoted optstring")]
    [InlineData("getopt(proc.pid, \"a\") = a", "must be a string field")]
    [InlineData("proc.name = (", "invalid filter at column")]
    [InlineData("proc.name contains anyof ()", "needs at least one value")]
    public void Compile_Invalid_ThrowsClearMessage(string condition, string fragment)
    {
        var ex = Assert.Throws<ArgumentException>(() => EventFilter.Compile(condition));
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-nt 5 file", "nt:", "n,t")]
    [InlineData("-t5 -n", "nt:", "t,n")]
    [InlineData("-x -- -n", "nx", "x")]
    [InlineData("--exec foo -e sh", "e:", "e")]
    [InlineData("file -n", "n", "n")]
    [InlineData("-e -n", "e:n", "e")]
    [InlineData("-q", "n", "")]
    public void GetOpt_ParsesLikePosixWithPermutation(string args, string optstring, string expected)
        => Assert.Equal(expected, string.Join(',', Harrier.Rules.Evaluation.Ops.GetOpt(args, optstring)!));
}
