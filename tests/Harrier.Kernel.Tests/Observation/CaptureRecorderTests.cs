using System.Diagnostics;
using Harrier.Engine.Decoding;
using Harrier.Engine.Loading;
using Harrier.Events;
using Harrier.Interop.Bpf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Kernel.Tests.Observation;

/// <summary>
/// Records raw ring-buffer records of a scripted syscall sequence with the real probes and checks that they decode.
/// With HARRIER_RECORD_CAPTURE=path the capture is also written there: that is how
/// tests/fixtures/probe-capture-abi1.bin (the decoder's golden input) is re-recorded after an ABI change.
/// </summary>
[Collection(ProbeCollection.Name)]
public sealed class CaptureRecorderTests
{
    private const string Dir = "/tmp/harrier-capture";

    [KernelFact]
    public void Record_ScriptedSyscalls_AllRecordsDecode()
    {
        var records = Record();
        string? target = Environment.GetEnvironmentVariable("HARRIER_RECORD_CAPTURE");
        if (!string.IsNullOrEmpty(target))
        {
            using var f = File.Create(target);
            foreach (var r in records)
            {
                f.Write(BitConverter.GetBytes(r.Length));
                f.Write(r);
            }
        }

        var decoder = new EventDecoder(new BootClock(0));
        var events = records.Select(r => decoder.Decode(r)?.CloneEvent()).OfType<HarrierEvent>().ToList();
        Assert.Equal(0, decoder.Malformed);
        Assert.Contains(events.OfType<FileEvent>(), e => e.RawPath == "../file.txt" && e.Path == Dir + "/file.txt");
        Assert.Contains(events.OfType<ProcessEvent>(), e => e.Type == EventType.Execve && e.Filename == "/bin/true" && e.Argv.Contains("arg with space"));
        Assert.Contains(events.OfType<ProcessEvent>(), e => e.Type == EventType.ProcExit && e.ExitCode == 3);
    }

    private static List<byte[]> Record()
    {
        using var probes = new ProbeLoader(NullLogger.Instance).Load(new ProbeOptions { WakeupThresholdBytes = 0 });
        probes.SetInterestingTypes(EventTypes.All.ToArray());
        var sink = new Sink();
        using var poller = new RingBufferPoller(probes.EventsFd, sink);
        string trig = TestPaths.Tool("trigger")!;
        Directory.CreateDirectory(Dir + "/sub");
        File.WriteAllText(Dir + "/file.txt", "x");
        File.Delete(Dir + "/moved.txt");
        Run(trig, "-C", Dir + "/sub", "open", "../file.txt");
        Run(trig, "-C", Dir, "open", "missing/../nope.txt");
        Run(trig, "exec", "/bin/true", "true", "--flag", "arg with space");
        Run(trig, "tcp-connect", "127.0.0.1", "9");
        Run(trig, "udp-sendto", "127.0.0.1", "5353");
        Run(trig, "-C", Dir, "rename", "file.txt", "sub/../moved.txt");
        Run(trig, "setuid", "1001");
        Run(trig, "exit", "3");
        var until = Stopwatch.StartNew();
        while (until.ElapsedMilliseconds < 1000 && !sink.Records.Any(r => BitConverter.ToUInt16(r, 0) == (ushort)EventType.ProcExit && BitConverter.ToUInt64(r, 128) == 3 << 8))
        {
            poller.Poll(10);
            poller.Consume();
        }

        return sink.Records;
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.WaitForExit();
    }

    private sealed class Sink : IRingBufferSink
    {
        public List<byte[]> Records { get; } = new();

        public bool OnSample(ReadOnlySpan<byte> sample)
        {
            // comm is at offset 56 (evt_hdr 24 + evt_task.comm 32)
            var comm = System.Text.Encoding.ASCII.GetString(sample.Slice(56, 16)).TrimEnd('\0');
            if (comm is "trigger" or "true")
            {
                Records.Add(sample.ToArray());
            }

            return true;
        }

        public void OnSinkFault(Exception error) => throw error;
    }
}
