namespace Harrier.Interop.Bpf;

/// <summary>
/// Where libbpf's messages go: an optional sink (the engine routes it to its logger at Debug) and a bounded
/// capture of the most recent lines, which a failed load turns into the exception's verifier log.
/// Thread-safe.
/// </summary>
internal static class LibbpfLog
{
    private const int MaxLines = 20000;
    private static readonly Lock Gate = new();
    private static readonly Queue<string> Recent = new();
    private static Action<LibbpfLogLevel, string>? s_sink;

    /// <summary>Sets (or clears) the sink that receives every libbpf message.</summary>
    public static void SetSink(Action<LibbpfLogLevel, string>? sink) => s_sink = sink;

    /// <summary>Forgets the captured lines (call before a load).</summary>
    public static void ClearCapture()
    {
        lock (Gate)
        {
            Recent.Clear();
        }
    }

    /// <summary>The captured lines, oldest first.</summary>
    public static string[] Captured()
    {
        lock (Gate)
        {
            return Recent.ToArray();
        }
    }

    internal static void Write(LibbpfLogLevel level, string text)
    {
        lock (Gate)
        {
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (Recent.Count == MaxLines)
                {
                    Recent.Dequeue();
                }

                Recent.Enqueue(line);
            }
        }

        s_sink?.Invoke(level, text.TrimEnd('\n'));
    }
}
