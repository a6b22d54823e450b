using System.Threading.Channels;
using Harrier.Engine.Abi;
using Harrier.Engine.Decoding;
using Harrier.Engine.Diagnostics;
using Harrier.Engine.Loading;
using Harrier.Events;
using Harrier.Interop;
using Harrier.Interop.Bpf;
using Microsoft.Extensions.Logging;

namespace Harrier.Engine.Ingest;

/// <summary>
/// The kernel observation path as one object: loads and attaches the probes (<see cref="Open"/>), consumes the
/// ring buffer on a dedicated thread (poll with a short timeout, then consume: batched wake-ups), hands record
/// batches over a bounded channel to a decoder thread, and calls the batch callback there with pooled events
/// (valid only during the callback; clone what you keep). <see cref="SetInterestingTypes"/> and
/// <see cref="Stats"/> may be called from any thread; Start/Stop/Dispose from the owner.
/// </summary>
internal sealed partial class KernelEventSource : IDisposable
{
    private readonly ProbeOptions _options;
    private readonly ILogger _logger;
    private readonly LoadedProbes _probes;
    private readonly Channel<RecordBatch> _channel;
    private readonly RecordBatcher _batcher;
    private readonly EventDecoder _decoder;
    private RingBufferPoller? _poller;
    private Thread? _pollThread;
    private Thread? _decodeThread;
    private Action<ReadOnlySpan<HarrierEvent>>? _onBatch;
    private volatile bool _stopping;
    private long _callbackFaults;
    private long _decodeFaults;

    private KernelEventSource(ProbeOptions options, ILogger logger, LoadedProbes probes)
    {
        _options = options;
        _logger = logger;
        _probes = probes;
        _channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(options.ChannelCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // the writer uses TryWrite: a full channel leaves records in the ring
        });
        _batcher = new RecordBatcher(_channel.Writer, options.BatchSize);
        _decoder = new EventDecoder(new BootClock(), options.MaxArgs);
    }

    /// <summary>Loads and attaches the probes; nothing is consumed before <see cref="Start"/> (the ring fills).</summary>
    /// <exception cref="ProbeStartupException">The probes cannot run here; the message says why and how to fix it.</exception>
    public static KernelEventSource Open(ProbeOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("Harrier.Engine.Ingest.KernelEventSource");
        var probes = new ProbeLoader(loggerFactory.CreateLogger("Harrier.Engine.Loading.ProbeLoader")).Load(options);
        try
        {
            probes.SetInterestingTypes([]);
            return new KernelEventSource(options, logger, probes);
        }
        catch
        {
            probes.Dispose();
            throw;
        }
    }

    /// <summary>The loaded probes (tests, diagnostics).</summary>
    internal LoadedProbes Probes => _probes;

    /// <summary>Exceptions thrown by the batch callback (each is logged, the batch is skipped).</summary>
    public long CallbackFaults => Interlocked.Read(ref _callbackFaults);

    /// <summary>Captures exactly these types (plus fork/exec/exit, always on). Thread-safe.</summary>
    public void SetInterestingTypes(IReadOnlyCollection<EventType> types) => _probes.SetInterestingTypes(types);

    /// <summary>Starts the consumer and decoder threads. <paramref name="onBatch"/> runs on the decoder thread.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="ProbeStartupException">The ring buffer could not be mapped.</exception>
    public void Start(Action<ReadOnlySpan<HarrierEvent>> onBatch)
    {
        if (_pollThread is not null)
        {
            throw new InvalidOperationException("already started");
        }

        _onBatch = onBatch;
        try
        {
            _poller = new RingBufferPoller(_probes.EventsFd, _batcher);
        }
        catch (BpfException ex)
        {
            throw new ProbeStartupException($"the ring buffer could not be mapped ({ex.Message}); lower Probes:RingBufferBytes", ex);
        }

        _decodeThread = new Thread(DecodeLoop) { IsBackground = true, Name = "harrier-decode" };
        _pollThread = new Thread(PollLoop) { IsBackground = true, Name = "harrier-ringbuf" };
        _decodeThread.Start();
        _pollThread.Start();
    }

    /// <summary>Counters so far (allocates a snapshot; not for the hot path).</summary>
    public ProbeStats Stats
    {
        get
        {
            ulong[] lost = _probes.ReadLost();
            ulong[] errs = _probes.ReadHelperErrors();
            var recv = new Dictionary<EventType, long>();
            var klost = new Dictionary<EventType, ulong>();
            ulong klostTotal = 0;
            for (int op = 0; op < AbiConstants.OpMax; op++)
            {
                long n = _decoder.ReceivedOf(op);
                if (n > 0)
                {
                    recv[(EventType)op] = n;
                }

                if (lost[op] > 0)
                {
                    klost[(EventType)op] = lost[op];
                    klostTotal += lost[op];
                }
            }

            var helper = new Dictionary<string, ulong>();
            for (int i = 0; i < errs.Length; i++)
            {
                helper[AbiConstants.HelperErrorNames[i]] = errs[i];
            }

            return new ProbeStats
            {
                Received = _batcher.Received,
                ReceivedPerType = recv,
                KernelLostPerType = klost,
                KernelLost = klostTotal,
                UserLost = _batcher.UserLost,
                BackPressure = _batcher.BackPressureEvents,
                DecodeErrors = _decoder.Malformed + _decoder.UnknownOps + _batcher.SinkFaults + Interlocked.Read(ref _decodeFaults),
                HelperErrors = helper,
            };
        }
    }

    /// <summary>Stops both threads after draining what the ring holds now. Idempotent.</summary>
    public void Stop()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _pollThread?.Join();
        _channel.Writer.TryComplete();
        _decodeThread?.Join();
    }

    public void Dispose()
    {
        Stop();
        _poller?.Dispose();
        _probes.Dispose();
        _batcher.ReleaseAll();
    }

    private void PollLoop()
    {
        if (_options.ConsumerCpu >= 0 && !Posix.PinToCpu(0, _options.ConsumerCpu))
        {
            LogPinFailed(_logger, _options.ConsumerCpu);
        }

        var poller = _poller!;
        long lastErrorLog = 0;
        while (!_stopping)
        {
            if (!_batcher.Flush())
            {
                // The decoder is behind: leave records in the ring (the probes shed by value and count what they
                // cannot keep) and wait for room instead of dropping here.
                WaitForRoom();
                continue;
            }

            int rc = poller.Poll(_options.PollTimeoutMs);
            if (rc < 0 && rc != -4 && rc != RingBufferPoller.BackPressure && Environment.TickCount64 - lastErrorLog > 10_000)
            {
                lastErrorLog = Environment.TickCount64; // at most one line per 10 s
                LogPollError(_logger, BpfException.ErrnoName(-rc), -rc);
            }

            if (rc != RingBufferPoller.BackPressure)
            {
                poller.Consume();
            }

            _batcher.Flush();
        }

        // Drain what the ring holds now, giving the decoder up to 2 s to make room.
        long until = Environment.TickCount64 + 2000;
        while (true)
        {
            int rc = poller.Consume();
            bool handed = _batcher.Flush();
            if ((rc >= 0 && handed) || Environment.TickCount64 > until)
            {
                break;
            }

            WaitForRoom();
        }

        _batcher.DropPending();
    }

    /// <summary>Blocks the polling thread until the channel has room or a poll period passed (allocates only then).</summary>
    private void WaitForRoom()
    {
        var room = _channel.Writer.WaitToWriteAsync();
        if (!room.IsCompleted)
        {
            room.AsTask().Wait(_options.PollTimeoutMs);
        }
    }

    private void DecodeLoop()
    {
        if (_options.ConsumerCpu >= 0)
        {
            Posix.PinToCpu(0, _options.ConsumerCpu);
        }

        var reader = _channel.Reader;
        var events = new HarrierEvent[_options.BatchSize];
        while (true)
        {
            while (reader.TryRead(out var batch))
            {
                try
                {
                    Process(batch, events);
                }
                catch (Exception ex)
                {
                    // a decoder bug must not stop the pipeline: count the batch as lost and go on
                    Interlocked.Add(ref _decodeFaults, batch.Count);
                    LogDecodeFault(_logger, ex);
                }

                _batcher.Return(batch);
            }

            var wait = reader.WaitToReadAsync();
            bool more = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
            if (!more)
            {
                return;
            }
        }
    }

    private void Process(RecordBatch batch, HarrierEvent[] events)
    {
        _decoder.BeginBatch();
        int n = 0;
        foreach (var record in batch)
        {
            var e = _decoder.Decode(record);
            if (e is not null)
            {
                if (n == events.Length)
                {
                    Deliver(events.AsSpan(0, n));
                    _decoder.BeginBatch();
                    n = 0;
                }

                events[n++] = e;
            }
        }

        if (n > 0)
        {
            Deliver(events.AsSpan(0, n));
        }
    }

    private void Deliver(ReadOnlySpan<HarrierEvent> events)
    {
        try
        {
            _onBatch!(events);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _callbackFaults);
            LogCallbackFault(_logger, ex);
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "ring buffer poll failed: {Errno} ({Code})")]
    private static partial void LogPollError(ILogger logger, string errno, int code);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Error, Message = "the event batch callback threw; batch skipped")]
    private static partial void LogCallbackFault(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Error, Message = "decoding a record batch failed; its records are counted as decode errors")]
    private static partial void LogDecodeFault(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "could not pin the ring-buffer consumer to CPU {Cpu}")]
    private static partial void LogPinFailed(ILogger logger, int cpu);
}
