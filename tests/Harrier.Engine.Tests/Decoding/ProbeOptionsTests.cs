using Harrier.Engine.Loading;
using Harrier.Events;

namespace Harrier.Engine.Tests.Decoding;

public sealed class ProbeOptionsTests
{
    [Fact]
    public void Validate_Defaults_NoErrors() => Assert.Empty(new ProbeOptions().Validate());

    [Fact]
    public void Validate_ManyBadValues_AllReportedAtOnce()
    {
        var errors = new ProbeOptions { RingBufferBytes = 5000, PollTimeoutMs = 50, MaxArgs = 0, MaxArgBytes = 1 << 20, BatchSize = 0, ChannelCapacity = 0 }.Validate();
        Assert.Equal(7, errors.Count); // ring size, wakeup threshold (>= ring), poll, args, arg bytes, batch, channel
        Assert.Contains(errors, e => e.Contains("RingBufferBytes"));
        Assert.Contains(errors, e => e.Contains("PollTimeoutMs"));
    }

    [Fact]
    public void BuildInterestingMap_OnlyOpenat_ProcessTypesAlwaysOn()
    {
        uint[] map = SyscallTable.BuildInterestingMap([EventType.Openat]);
        Assert.Equal((uint)EventType.Openat, map[257]);
        Assert.Equal((uint)EventType.Execve, map[59]);
        Assert.Equal((uint)EventType.Clone, map[56]);
        Assert.Equal(0u, map[2]); // open not asked for
        Assert.Equal(0u, map[42]); // connect not asked for
    }

    [Fact]
    public void SyscallTable_EverySyscallTypeHasANumber()
    {
        foreach (var t in EventTypes.All.Where(t => EventTypes.ClassOf(t) != EventClass.Decision && t != EventType.ProcExit))
        {
            Assert.NotEmpty(SyscallTable.NumbersOf(t));
        }
    }
}
