using System.Net;
using Harrier.Engine.Decoding;
using Harrier.Events;

namespace Harrier.Engine.Tests.Decoding;

/// <summary>
/// Decodes tests/fixtures/probe-capture-abi1.bin: raw records the real probes emitted (ABI version 1) for a
/// scripted set of syscalls run by probes/.output/trigger (see Harrier.Kernel.Tests CaptureRecorderTests, which
/// re-records it with HARRIER_RECORD_CAPTURE=path). Format: repeated [int32 length][record bytes].
/// </summary>
public sealed class GoldenCaptureTests
{
    private const string Dir = "/tmp/harrier-capture";

    private static List<HarrierEvent> DecodeAll(out EventDecoder decoder)
    {
        decoder = new EventDecoder(new BootClock(0), maxArgs: 32);
        var events = new List<HarrierEvent>();
        byte[] data = File.ReadAllBytes(FixturePath());
        int off = 0;
        while (off < data.Length)
        {
            int len = BitConverter.ToInt32(data, off);
            var e = decoder.Decode(data.AsSpan(off + 4, len));
            if (e is not null)
            {
                events.Add(e.CloneEvent());
            }

            off += 4 + len;
        }

        return events;
    }

    internal static string FixturePath()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "tests", "fixtures", "probe-capture-abi1.bin");
            if (File.Exists(p))
            {
                return p;
            }
        }

        throw new FileNotFoundException("tests/fixtures/probe-capture-abi1.bin not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Capture_EveryRecordDecodes()
    {
        var events = DecodeAll(out var decoder);
        Assert.True(events.Count >= 20);
        Assert.Equal(0, decoder.Malformed);
        Assert.Equal(0, decoder.UnknownOps);
        Assert.All(events, e => Assert.True(e.Pid > 0 && e.KTimeNs > 0 && e.ProcStartNs > 0 && e.Comm.Length > 0));
    }

    [Fact]
    public void Capture_RelativeOpens_ResolvedAndNormalised()
    {
        var events = DecodeAll(out _).OfType<FileEvent>().ToList();
        var ok = Assert.Single(events, e => e.RawPath == "../file.txt");
        Assert.Equal(Dir + "/file.txt", ok.Path);
        Assert.True(ok.Res >= 0);
        var missing = Assert.Single(events, e => e.RawPath == "missing/../nope.txt");
        Assert.Equal(-2, missing.Res);
        Assert.Equal(Dir + "/nope.txt", missing.Path);
        var rename = Assert.Single(events, e => e.Type is EventType.Rename or EventType.Renameat or EventType.Renameat2);
        Assert.Equal(Dir + "/file.txt", rename.Path);
        Assert.Equal(Dir + "/moved.txt", rename.NewPath);
    }

    [Fact]
    public void Capture_Exec_ArgvAndExePath()
    {
        var exec = Assert.Single(DecodeAll(out _).OfType<ProcessEvent>(), e => e.Type == EventType.Execve && e.Filename == "/bin/true");
        Assert.Equal(new[] { "/bin/true", "true", "--flag", "arg with space" }, exec.Argv); // trigger passes its own argv from the path on
        Assert.Equal("/usr/bin/true", exec.ExePath);
        Assert.Equal(0, exec.Res);
    }

    [Fact]
    public void Capture_NetworkPrivilegeExit_Fields()
    {
        var events = DecodeAll(out _);
        var connect = Assert.Single(events.OfType<NetworkEvent>(), e => e.Type == EventType.Connect);
        Assert.Equal(IPAddress.Loopback, connect.Remote.ToIPAddress());
        Assert.Equal(9, connect.Remote.Port);
        Assert.Equal(-111, connect.Res);
        var send = Assert.Single(events.OfType<NetworkEvent>(), e => e.Type == EventType.Sendto);
        Assert.Equal(5353, send.Remote.Port);
        var setuid = Assert.Single(events.OfType<PrivilegeEvent>(), e => e.Type == EventType.Setuid);
        Assert.Equal(1001, setuid.Id0);
        Assert.Contains(events.OfType<ProcessEvent>(), e => e.Type == EventType.ProcExit && e.ExitCode == 3);
    }
}
