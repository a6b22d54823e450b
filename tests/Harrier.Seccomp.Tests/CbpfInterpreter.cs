using System.Buffers.Binary;
using Harrier.Seccomp.Filters;

namespace Harrier.Seccomp.Tests;

/// <summary>
/// A small classic BPF interpreter for seccomp programs, written from the kernel's rules (net/core/filter.c,
/// seccomp_check_filter): only 32-bit absolute loads of seccomp_data, aligned and in range; forward jumps;
/// a program must end in a return. Rejects anything else, so compiler bugs surface as exceptions.
/// </summary>
internal static class CbpfInterpreter
{
    private const int SeccompDataSize = 64;

    public static uint Run(IReadOnlyList<SockFilter> program, int nr, uint arch = 0xC000003E, ulong ip = 0, ulong[]? args = null)
    {
        Span<byte> data = stackalloc byte[SeccompDataSize];
        BinaryPrimitives.WriteInt32LittleEndian(data, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data[4..], arch);
        BinaryPrimitives.WriteUInt64LittleEndian(data[8..], ip);
        for (int i = 0; i < 6 && args is not null && i < args.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data[(16 + 8 * i)..], args[i]);
        }

        if (program.Count == 0 || program.Count > 4096)
        {
            throw new InvalidOperationException($"bad program length {program.Count}");
        }

        uint a = 0;
        int pc = 0;
        int steps = 0;
        while (true)
        {
            if (pc < 0 || pc >= program.Count)
            {
                throw new InvalidOperationException($"pc {pc} out of the program");
            }

            if (++steps > program.Count)
            {
                throw new InvalidOperationException("more steps than instructions: a backward jump");
            }

            var ins = program[pc];
            switch (ins.Code)
            {
                case SockFilter.LdAbsW:
                    if (ins.K % 4 != 0 || ins.K + 4 > SeccompDataSize)
                    {
                        throw new InvalidOperationException($"bad load offset {ins.K} at {pc}");
                    }

                    a = BinaryPrimitives.ReadUInt32LittleEndian(data[(int)ins.K..]);
                    pc++;
                    break;
                case SockFilter.Ja:
                    pc += 1 + (int)ins.K;
                    break;
                case SockFilter.JeqK:
                    pc += 1 + (a == ins.K ? ins.Jt : ins.Jf);
                    break;
                case SockFilter.JgtK:
                    pc += 1 + (a > ins.K ? ins.Jt : ins.Jf);
                    break;
                case SockFilter.JgeK:
                    pc += 1 + (a >= ins.K ? ins.Jt : ins.Jf);
                    break;
                case SockFilter.JsetK:
                    pc += 1 + ((a & ins.K) != 0 ? ins.Jt : ins.Jf);
                    break;
                case SockFilter.RetK:
                    return ins.K;
                default:
                    throw new InvalidOperationException($"opcode 0x{ins.Code:x} not allowed at {pc}");
            }
        }
    }
}
