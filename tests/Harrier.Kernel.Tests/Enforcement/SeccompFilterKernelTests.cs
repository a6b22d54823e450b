using System.Diagnostics;
using Harrier.Seccomp.Cli;
using Harrier.Seccomp.Filters;
using Harrier.Seccomp.Profiles;

namespace Harrier.Kernel.Tests.Enforcement;

/// <summary>The kernel's own seccomp checker and the launcher's error paths.</summary>
public sealed class SeccompFilterKernelTests
{
    // What glibc's /bin/true and the launcher need after the filter is installed.
    private static readonly string[] TrueNeeds =
    [
        "execve", "brk", "mmap", "munmap", "mprotect", "access", "openat", "newfstatat", "fstat", "close", "read",
        "pread64", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getrandom",
        "exit_group", "exit", "write", "madvise", "futex", "rt_sigaction", "rt_sigprocmask",
    ];

    private static (int Code, string Err) RunLauncher(string filterHex, params string[] command)
    {
        var psi = new ProcessStartInfo(LauncherLocator.Find()!) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.Environment["HARRIER_SECCOMP_FILTER"] = filterHex;
        psi.ArgumentList.Add("--");
        foreach (var c in command)
        {
            psi.ArgumentList.Add(c);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Result);
    }

    [SeccompFact]
    public void Kernel_AcceptsLongProfileWithTrampolines_AndDecidesLikeTheCompiler()
    {
        // Every known syscall not needed by /bin/true is denied, alternating EPERM / EACCES so that each is its own
        // range: ~370 ranges, jumps longer than 255 instructions, the deepest tree the table allows.
        int i = 0;
        var rules = SyscallTable.All.Where(e => !TrueNeeds.Contains(e.Name))
            .Select(e => new SeccompRule { Names = [e.Name], Action = SeccompAction.Errno, Errno = i++ % 2 == 0 ? 1 : 13 })
            .ToList();
        var filter = SeccompFilterCompiler.Compile(new SeccompProfile { DefaultAction = SeccompAction.Allow, Syscalls = rules });
        Assert.Contains(filter.Instructions, x => x.Code == SockFilter.Ja);
        var hex = Convert.ToHexString(filter.ToBytes());

        Assert.Equal(0, RunLauncher(hex, "/bin/true").Code);

        // mkdir is denied with EPERM or EACCES (whichever it drew): the message proves the kernel ran our program
        var mkdirRule = rules.First(r => r.Names[0] == "mkdir");
        var (code, err) = RunLauncher(hex, "/bin/mkdir", "/tmp/harrier-never-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(1, code);
        Assert.Contains(mkdirRule.Errno == 1 ? "Operation not permitted" : "Permission denied", err, StringComparison.Ordinal);
    }

    [SeccompFact]
    public void Launcher_BadFilterInput_Exits125WithMessage()
    {
        var (code, err) = RunLauncher("zz", "/bin/true");
        Assert.Equal(125, code);
        Assert.Contains("HARRIER_SECCOMP_FILTER", err, StringComparison.Ordinal);

        // a program the kernel's checker refuses: a load outside seccomp_data
        var bad = new SockFilter[] { new(SockFilter.LdAbsW, 0, 0, 4096), new(SockFilter.RetK, 0, 0, 0x7fff0000) };
        var hex = string.Concat(bad.Select(b => $"{b.Code & 0xff:X2}{b.Code >> 8:X2}{b.Jt:X2}{b.Jf:X2}{b.K & 0xff:X2}{(b.K >> 8) & 0xff:X2}{(b.K >> 16) & 0xff:X2}{b.K >> 24:X2}"));
        (code, err) = RunLauncher(hex, "/bin/true");
        Assert.Equal(125, code);
        Assert.Contains("seccomp(SECCOMP_SET_MODE_FILTER): Invalid argument", err, StringComparison.Ordinal);
    }
}
