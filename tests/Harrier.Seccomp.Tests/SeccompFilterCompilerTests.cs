using Harrier.Seccomp.Filters;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Tests;

public class SeccompFilterCompilerTests
{
    private const uint Allow = 0x7fff0000;
    private const uint KillProcess = 0x80000000;

    private static SeccompProfile Profile(SeccompAction defaultAction, params (string[] Names, SeccompAction Action, int? Errno)[] rules) => new()
    {
        DefaultAction = defaultAction,
        Syscalls = rules.Select(r => new SeccompRule { Names = r.Names, Action = r.Action, Errno = r.Errno }).ToList(),
    };

    [Fact]
    public void Compile_DenyMkdir_ReturnsErrnoForMkdirAndAllowsEverythingElse()
    {
        var filter = SeccompFilterCompiler.Compile(Profile(SeccompAction.Allow, (["mkdir", "mkdirat"], SeccompAction.Errno, 1)));
        foreach (var (name, nr) in SyscallTable.All)
        {
            uint expected = name is "mkdir" or "mkdirat" ? 0x00050001u : Allow;
            Assert.Equal(expected, CbpfInterpreter.Run(filter.Instructions, nr));
        }
    }

    [Fact]
    public void Compile_WrongArchitecture_KillsProcess()
    {
        var filter = SeccompFilterCompiler.Compile(Profile(SeccompAction.Allow));
        Assert.Equal(KillProcess, CbpfInterpreter.Run(filter.Instructions, 0, arch: 0x40000003)); // AUDIT_ARCH_I386
        Assert.Equal(KillProcess, CbpfInterpreter.Run(filter.Instructions, 0, arch: 0xC00000B7)); // AUDIT_ARCH_AARCH64
    }

    [Fact]
    public void Compile_X32SyscallBit_KillsProcess()
    {
        var filter = SeccompFilterCompiler.Compile(Profile(SeccompAction.Allow));
        Assert.Equal(KillProcess, CbpfInterpreter.Run(filter.Instructions, 0x40000000 | 83)); // x32 mkdir
        Assert.Equal(KillProcess, CbpfInterpreter.Run(filter.Instructions, 0x40000000 + 512));
    }

    [Fact]
    public void Compile_SyscallMinusOne_GetsDefault()
    {
        var filter = SeccompFilterCompiler.Compile(Profile(SeccompAction.Errno, (["read"], SeccompAction.Allow, null)));
        Assert.Equal(0x00050001u, CbpfInterpreter.Run(filter.Instructions, -1));
    }

    [Fact]
    public void Compile_EveryAction_EncodesKernelReturnValues()
    {
        var filter = SeccompFilterCompiler.Compile(Profile(
            SeccompAction.Errno,
            (["read"], SeccompAction.Allow, null),
            (["write"], SeccompAction.Errno, 13),
            (["open"], SeccompAction.Kill, null),
            (["close"], SeccompAction.KillProcess, null),
            (["stat"], SeccompAction.Log, null),
            (["fstat"], SeccompAction.Trace, 7),
            (["connect"], SeccompAction.Notify, null),
            (["lstat"], SeccompAction.Trap, null)));
        Assert.Equal(Allow, CbpfInterpreter.Run(filter.Instructions, 0));
        Assert.Equal(0x0005000Du, CbpfInterpreter.Run(filter.Instructions, 1));
        Assert.Equal(0x00000000u, CbpfInterpreter.Run(filter.Instructions, 2));
        Assert.Equal(KillProcess, CbpfInterpreter.Run(filter.Instructions, 3));
        Assert.Equal(0x7ffc0000u, CbpfInterpreter.Run(filter.Instructions, 4));
        Assert.Equal(0x7ff00007u, CbpfInterpreter.Run(filter.Instructions, 5));
        Assert.Equal(0x7fc00000u, CbpfInterpreter.Run(filter.Instructions, 42));
        Assert.Equal(0x00030000u, CbpfInterpreter.Run(filter.Instructions, 6));
        Assert.Equal(0x00050001u, CbpfInterpreter.Run(filter.Instructions, 7)); // poll: default errno EPERM
        Assert.Equal(0x00050001u, CbpfInterpreter.Run(filter.Instructions, 100000)); // unknown number: default
        Assert.True(filter.UsesNotify);
    }

    [Fact]
    public void Compile_NotifyProfile_RefusesNewListenerFiltersOnly()
    {
        var notify = SeccompFilterCompiler.Compile(Profile(SeccompAction.Allow, (["connect"], SeccompAction.Notify, null), (["seccomp"], SeccompAction.Log, null)));
        Assert.Equal(0x00050001u, CbpfInterpreter.Run(notify.Instructions, 317, args: [1, 8, 0]));           // SET_MODE_FILTER + NEW_LISTENER
        Assert.Equal(0x00050001u, CbpfInterpreter.Run(notify.Instructions, 317, args: [1, 8 | 1, 0]));       // with TSYNC too
        Assert.Equal(0x7ffc0000u, CbpfInterpreter.Run(notify.Instructions, 317, args: [1, 0, 0]));           // a plain filter: the profile's action
        Assert.Equal(0x7ffc0000u, CbpfInterpreter.Run(notify.Instructions, 317, args: [1, 0x1_0000_0000, 0])); // high bits are not the flag
        Assert.Equal(0x7fc00000u, CbpfInterpreter.Run(notify.Instructions, 42, args: [0, 8, 0]));            // other calls unaffected by args
        Assert.Equal(Allow, CbpfInterpreter.Run(notify.Instructions, 0, args: [0, 8, 0]));

        // without notify, seccomp() is left alone
        var plain = SeccompFilterCompiler.Compile(Profile(SeccompAction.Allow));
        Assert.Equal(Allow, CbpfInterpreter.Run(plain.Instructions, 317, args: [1, 8, 0]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(31)]
    public void Compile_LongAlternatingProfiles_DecideEveryNumberLikeALookupTable(int seed)
    {
        // Random actions for every known syscall: many ranges, deep trees, long jumps (> 255) exercised.
        var random = new Random(seed);
        var actions = new[] { SeccompAction.Allow, SeccompAction.Errno, SeccompAction.Log, SeccompAction.KillProcess, SeccompAction.Notify };
        var expected = new Dictionary<int, uint>();
        var rules = new List<SeccompRule>();
        foreach (var (name, nr) in SyscallTable.All)
        {
            if (random.Next(4) == 0)
            {
                continue; // left to the default
            }

            var action = actions[random.Next(actions.Length)];
            int? errno = action == SeccompAction.Errno ? random.Next(1, 134) : null;
            rules.Add(new SeccompRule { Names = [name], Action = action, Errno = errno });
            expected[nr] = SeccompFilterCompiler.ReturnValue(action, errno);
        }

        var profile = new SeccompProfile { DefaultAction = SeccompAction.Errno, DefaultErrno = 38, Syscalls = rules };
        var filter = SeccompFilterCompiler.Compile(profile);
        Assert.Contains(filter.Instructions, i => i.Code == SockFilter.Ja); // trampolines were needed
        for (int nr = 0; nr <= SyscallTable.MaxNumber + 600; nr++)
        {
            uint want = expected.TryGetValue(nr, out var v) ? v : 0x00050026u;
            Assert.Equal(want, CbpfInterpreter.Run(filter.Instructions, nr));
        }

        Assert.Equal(0x00050026u, CbpfInterpreter.Run(filter.Instructions, 0x3fffffff));
    }

    [Fact]
    public void Compile_LongProfile_DecidesInLogarithmicSteps()
    {
        var rules = SyscallTable.All.Where(e => e.Nr % 2 == 0).Select(e => new SeccompRule { Names = [e.Name], Action = SeccompAction.Errno, Errno = 1 }).ToList();
        var filter = SeccompFilterCompiler.Compile(new SeccompProfile { DefaultAction = SeccompAction.Allow, Syscalls = rules });

        // ~380 ranges: a linear chain would compare hundreds of times; the tree stays near 2*log2.
        int maxDepth = 0;
        for (int nr = 0; nr < 470; nr++)
        {
            maxDepth = Math.Max(maxDepth, Steps(filter, nr));
        }

        Assert.InRange(maxDepth, 8, 30);
    }

    [Fact]
    public void ToBytes_LaysOutSockFilterLittleEndian()
    {
        var filter = SeccompFilterCompiler.Compile(Profile(SeccompAction.Allow));
        var bytes = filter.ToBytes();
        Assert.Equal(filter.Instructions.Length * 8, bytes.Length);
        Assert.Equal(new byte[] { 0x20, 0, 0, 0, 4, 0, 0, 0 }, bytes[..8]); // ld [4]
        Assert.Equal(new byte[] { 0x15, 0, 1, 0, 0x3e, 0, 0, 0xc0 }, bytes[8..16]); // jeq AUDIT_ARCH_X86_64
    }

    private static int Steps(SeccompFilter filter, int nr)
    {
        // Counts instructions executed by following the same rules as the interpreter.
        var program = filter.Instructions;
        uint a = 0;
        int pc = 0, steps = 0;
        while (true)
        {
            steps++;
            var ins = program[pc];
            switch (ins.Code)
            {
                case SockFilter.LdAbsW: a = ins.K == 0 ? (uint)nr : 0xC000003E; pc++; break;
                case SockFilter.Ja: pc += 1 + (int)ins.K; break;
                case SockFilter.JeqK: pc += 1 + (a == ins.K ? ins.Jt : ins.Jf); break;
                case SockFilter.JgeK: pc += 1 + (a >= ins.K ? ins.Jt : ins.Jf); break;
                case SockFilter.RetK: return steps;
                default: throw new InvalidOperationException();
            }
        }
    }
}
