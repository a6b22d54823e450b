using System.Globalization;

namespace Harrier.Engine.Tests.Enrichment;

/// <summary>A procfs and /etc tree in a temporary directory, written the way the kernel lays them out.</summary>
internal sealed class FakeProcfs : IDisposable
{
    public FakeProcfs()
    {
        Root = Path.Combine(Path.GetTempPath(), "harrier-procfs-" + Guid.NewGuid().ToString("N"));
        Proc = Path.Combine(Root, "proc");
        Etc = Path.Combine(Root, "etc");
        Directory.CreateDirectory(Proc);
        Directory.CreateDirectory(Etc);
        File.WriteAllText(Path.Combine(Etc, "passwd"), "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n");
        File.WriteAllText(Path.Combine(Etc, "group"), "root:x:0:\nalice:x:1000:\nstaff:x:50:alice\n");
    }

    public string Root { get; }

    public string Proc { get; }

    public string Etc { get; }

    /// <summary>Writes /proc/PID/{stat,status,loginuid,cmdline,cgroup,exe,cwd}.</summary>
    public void Add(
        int pid,
        int ppid,
        string comm,
        string[] argv,
        string exe,
        ulong startTicks = 100,
        string cwd = "/",
        uint uid = 0,
        uint gid = 0,
        uint loginUid = uint.MaxValue,
        string cgroup = "/user.slice/user-0.slice/session-1.scope",
        int tty = 34816,
        int sid = 0,
        int pgrp = 0,
        ulong? capEff = null)
    {
        var dir = Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        sid = sid == 0 ? pid : sid;
        pgrp = pgrp == 0 ? pid : pgrp;
        File.WriteAllText(Path.Combine(dir, "stat"),
            $"{pid} ({comm}) S {ppid} {pgrp} {sid} {tty} -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 {startTicks} 12345 67 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        File.WriteAllText(Path.Combine(dir, "status"),
            $"Name:\t{comm}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t{pid}\nPid:\t{pid}\nPPid:\t{ppid}\nUid:\t{uid + 1}\t{uid}\t{uid}\t{uid}\nGid:\t{gid + 1}\t{gid}\t{gid}\t{gid}\n"
            + (capEff is { } eff ? $"CapInh:\t0000000000000000\nCapPrm:\t{eff:x16}\nCapEff:\t{eff:x16}\nCapBnd:\t000001ffffffffff\n" : string.Empty));
        File.WriteAllText(Path.Combine(dir, "loginuid"), loginUid.ToString(CultureInfo.InvariantCulture));
        File.WriteAllText(Path.Combine(dir, "cmdline"), argv.Length == 0 ? string.Empty : string.Join('\0', argv) + "\0");
        File.WriteAllText(Path.Combine(dir, "cgroup"), $"0::{cgroup}\n");
        if (exe.Length > 0)
        {
            File.CreateSymbolicLink(Path.Combine(dir, "exe"), exe);
        }

        File.CreateSymbolicLink(Path.Combine(dir, "cwd"), cwd);
    }

    public void Remove(int pid) => Directory.Delete(Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture)), recursive: true);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
