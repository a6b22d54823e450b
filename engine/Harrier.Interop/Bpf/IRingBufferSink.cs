namespace Harrier.Interop.Bpf;

/// <summary>Receives ring-buffer samples on the polling thread. Must not throw and must not keep the span.</summary>
internal interface IRingBufferSink
{
    /// <summary>Handles one record; the span is valid only during the call. False means "not now": the record stays in
    /// the ring buffer, consumption stops there, and the next poll delivers it again (back-pressure).</summary>
    bool OnSample(ReadOnlySpan<byte> sample);

    /// <summary>Called when <see cref="OnSample"/> threw (the exception is swallowed at the native boundary).</summary>
    void OnSinkFault(Exception error);
}
