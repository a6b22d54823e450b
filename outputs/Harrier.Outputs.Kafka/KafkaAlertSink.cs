using System.Text;
using Confluent.Kafka;
using Harrier.Events;
using Harrier.Outputs.Formatting;
using Microsoft.Extensions.Logging;

namespace Harrier.Outputs.Kafka;

/// <summary>
/// Sends alerts to a Kafka topic with an idempotent producer (<c>enable.idempotence=true</c>, <c>acks=all</c>): value = the
/// alert in the sink's format, key = hostname (or rule), headers <c>rule</c>, <c>priority</c>, <c>uuid</c>, <c>source</c>,
/// timestamp = alert time. <see cref="EmitAsync"/> returns once the broker acknowledged every alert of the batch; otherwise
/// it throws <see cref="SinkBatchException"/> with each alert's outcome (retriable errors are retried by librdkafka itself
/// and, when they persist, by the dispatcher from the spool; message-specific permanent errors are <c>Rejected</c>).
/// A fatal producer error (e.g. idempotence state lost) rebuilds the producer; the undelivered alerts are re-sent.
/// Thread-safety: one <see cref="EmitAsync"/> at a time (the dispatcher's worker).
/// </summary>
internal sealed partial class KafkaAlertSink : IAlertSink
{
    private readonly SinkOptions _options;
    private readonly KafkaSinkSettings _settings;
    private readonly ISinkHealth _health;
    private readonly ILogger _logger;
    private static readonly byte[][] s_priorityNames =
        Enumerable.Range(0, 8).Select(p => Encoding.ASCII.GetBytes(Priorities.Name((Priority)p))).ToArray();

    // Rule names and hostnames repeat: keep their UTF-8 bytes (bounded; librdkafka copies header and key bytes).
    private readonly Dictionary<string, byte[]> _utf8 = new(StringComparer.Ordinal);
    private IProducer<byte[]?, byte[]> _producer;
    private volatile string? _fatal;

    public KafkaAlertSink(SinkContext context)
    {
        _options = context.Options;
        _health = context.Health;
        _logger = context.LoggerFactory.CreateLogger("Harrier.Outputs.Kafka." + _options.Name);
        var errors = new List<string>();
        _settings = KafkaSinkSettings.Parse(_options, errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }

        KafkaNativeLibrary.EnsureLoaded();
        _producer = Build();
    }

    public string Name => _options.Name;

    /// <summary>Producer (re)builds after fatal errors.</summary>
    public int Rebuilds { get; private set; }

    public async ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct)
    {
        if (_fatal is { } reason)
        {
            LogRebuild(_logger, Name, reason);
            DisposeProducer(TimeSpan.Zero);
            _fatal = null;
            _producer = Build();
            Rebuilds++;
        }

        var state = new BatchState(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            Alert alert = batch[i];
            var message = new Message<byte[]?, byte[]>
            {
                Key = _settings.Key switch
                {
                    "rule" => Utf8(alert.Rule),
                    "none" => null,
                    _ => Utf8(alert.Hostname),
                },
                Value = AlertFormatter.ToUtf8Bytes(alert, _options.Format, _options.FlatKeys),
                Timestamp = new Timestamp(AlertTime.ToUnixMilliseconds(alert.TimeNs), TimestampType.CreateTime),
                Headers = new Headers
                {
                    { "rule", Utf8(alert.Rule) },
                    { "priority", s_priorityNames[(int)alert.Priority & 7] },
                    { "uuid", Encoding.ASCII.GetBytes(alert.Uuid.ToString("D")) },
                    { "source", Utf8(alert.Source) },
                },
            };
            int index = i;
            while (true)
            {
                try
                {
                    _producer.Produce(_settings.Topic, message, r => state.Complete(index, r.Error));
                    break;
                }
                catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    await Task.Delay(5, ct).ConfigureAwait(false);
                }
                catch (ProduceException<byte[]?, byte[]> e)
                {
                    state.Complete(index, e.Error);
                    break;
                }
                catch (KafkaException e)
                {
                    state.Complete(index, e.Error);
                    break;
                }
            }
        }

        await state.Task.WaitAsync(ct).ConfigureAwait(false);
        if (state.FirstError is { } error)
        {
            throw new SinkBatchException($"kafka: {state.FailedCount} of {batch.Count} alerts not delivered: {error.Code}: {error.Reason}", state.Statuses);
        }
    }

    public ValueTask DisposeAsync()
    {
        DisposeProducer(TimeSpan.FromSeconds(5));
        return ValueTask.CompletedTask;
    }

    private byte[] Utf8(string s)
    {
        if (_utf8.TryGetValue(s, out byte[]? b))
        {
            return b;
        }

        b = Encoding.UTF8.GetBytes(s);
        if (_utf8.Count >= 4096)
        {
            _utf8.Clear();
        }

        _utf8[s] = b;
        return b;
    }

    /// <summary>Errors that no retry can fix for this particular message.</summary>
    internal static bool IsPermanentForMessage(ErrorCode code) => code is ErrorCode.MsgSizeTooLarge
        or ErrorCode.InvalidMsg or ErrorCode.InvalidMsgSize or ErrorCode.Local_BadMsg or ErrorCode.InvalidRecord or ErrorCode.Local_InvalidArg;

    private void DisposeProducer(TimeSpan flush)
    {
        try
        {
            if (flush > TimeSpan.Zero)
            {
                _producer.Flush(flush);
            }
        }
        catch (KafkaException)
        {
            // Fatal state: nothing left to flush; what was not acknowledged stays in the spool.
        }

        _producer.Dispose();
    }

    private IProducer<byte[]?, byte[]> Build()
    {
        ProducerConfig config = _settings.ToProducerConfig("harrier-" + Environment.MachineName);
        return new ProducerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, e) =>
            {
                if (e.IsFatal)
                {
                    _fatal = $"{e.Code}: {e.Reason}";
                    LogFatal(_logger, Name, e.Code.ToString(), e.Reason);
                    _health.ReportDown($"fatal producer error {e.Code}: {e.Reason}");
                }
                else if (e.Code == ErrorCode.Local_AllBrokersDown)
                {
                    _health.ReportDown("all brokers down");
                }
                else
                {
                    LogError(_logger, Name, e.Code.ToString(), e.Reason);
                }
            })
            .SetLogHandler((_, m) => LogLibrdkafka(_logger, Name, m.Facility, m.Message))
            .Build();
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Critical, Message = "Kafka sink {Sink}: fatal producer error {Code}: {Reason}")]
    private static partial void LogFatal(ILogger logger, string sink, string code, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Kafka sink {Sink}: {Code}: {Reason}")]
    private static partial void LogError(ILogger logger, string sink, string code, string reason);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Kafka sink {Sink}: rebuilding the producer after fatal error {Reason}; unacknowledged alerts are re-sent")]
    private static partial void LogRebuild(ILogger logger, string sink, string reason);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Debug, Message = "Kafka sink {Sink}: librdkafka {Facility}: {Message}")]
    private static partial void LogLibrdkafka(ILogger logger, string sink, string facility, string message);

    /// <summary>Collects the delivery reports of one batch (callbacks arrive on librdkafka's poll thread).</summary>
    private sealed class BatchState
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly DeliveryStatus[] _statuses;
        private int _remaining;
        private Error? _firstError;
        private int _failed;

        public BatchState(int count)
        {
            _statuses = new DeliveryStatus[count];
            _remaining = count;
            if (count == 0)
            {
                _done.TrySetResult();
            }
        }

        public Task Task => _done.Task;

        public IReadOnlyList<DeliveryStatus> Statuses => _statuses;

        public Error? FirstError => Volatile.Read(ref _firstError);

        public int FailedCount => Volatile.Read(ref _failed);

        public void Complete(int index, Error error)
        {
            if (error.IsError)
            {
                _statuses[index] = IsPermanentForMessage(error.Code) ? DeliveryStatus.Rejected : DeliveryStatus.Failed;
                Interlocked.CompareExchange(ref _firstError, error, null);
                Interlocked.Increment(ref _failed);
            }
            else
            {
                _statuses[index] = DeliveryStatus.Delivered;
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.TrySetResult();
            }
        }
    }
}
