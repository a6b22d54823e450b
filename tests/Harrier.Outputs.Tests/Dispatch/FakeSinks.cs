using System.Collections.Concurrent;
using Harrier.Events;

namespace Harrier.Outputs.Tests.Dispatch;

/// <summary>Records every alert it is given.</summary>
internal sealed class RecordingSink(string name) : IAlertSink
{
    public string Name { get; } = name;

    public ConcurrentQueue<Alert> Received { get; } = new();

    public ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct)
    {
        foreach (Alert a in batch)
        {
            Received.Enqueue(a);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Never completes a batch until released (or cancelled): a dead or very slow destination.</summary>
internal sealed class BlockedSink(string name) : IAlertSink
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public int Calls;

    public void Release() => _release.TrySetResult();

    public async ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct)
    {
        Interlocked.Increment(ref Calls);
        await _release.Task.WaitAsync(ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Never completes a batch; runs <see cref="OnDispose"/> when disposed (a client library calling back while it closes).</summary>
internal sealed class CallbackOnDisposeSink(string name) : IAlertSink
{
    public string Name { get; } = name;

    public Action? OnDispose { get; set; }

    public async ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct)
        => await Task.Delay(Timeout.Infinite, ct);

    public ValueTask DisposeAsync()
    {
        OnDispose?.Invoke();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Delivers only while open: closed, a batch waits until the sink is opened (or the emit is cancelled).</summary>
internal sealed class GatedSink(string name) : IAlertSink
{
    private volatile TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public ConcurrentQueue<Alert> Received { get; } = new();

    public void Open() => _gate.TrySetResult();

    public void Close()
    {
        if (_gate.Task.IsCompleted)
        {
            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public async ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct)
    {
        await _gate.Task.WaitAsync(ct);
        foreach (Alert a in batch)
        {
            Received.Enqueue(a);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Once started, delivers every batch after a fixed delay: a destination that works, slower than the alert rate.</summary>
internal sealed class SlowRecordingSink(string name, TimeSpan perBatch) : IAlertSink
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public ConcurrentQueue<Alert> Received { get; } = new();

    public void Start() => _started.TrySetResult();

    public async ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct)
    {
        await _started.Task.WaitAsync(ct);
        await Task.Delay(perBatch, ct);
        foreach (Alert a in batch)
        {
            Received.Enqueue(a);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Fails the first <c>failures</c> batches, then delivers.</summary>
internal sealed class FlakySink(string name, int failures) : IAlertSink
{
    private int _left = failures;

    public string Name { get; } = name;

    public ConcurrentQueue<Alert> Received { get; } = new();

    public ValueTask EmitAsync(IReadOnlyList<Alert> batch, CancellationToken ct)
    {
        if (Interlocked.Decrement(ref _left) >= 0)
        {
            throw new IOException("destination unreachable");
        }

        foreach (Alert a in batch)
        {
            Received.Enqueue(a);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
