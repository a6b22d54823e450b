using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Harrier.Kernel.Tests.Observation;

namespace Harrier.Kernel.Tests.Service;

/// <summary>
/// Runs the built program (<c>build/harrier</c>) as a child with a test systemd notify socket, its own metrics
/// port and a private state directory; collects notify datagrams and output lines.
/// </summary>
internal sealed class HarrierProcess : IDisposable
{
    private readonly Socket _notify;
    private readonly List<string> _messages = new();
    private readonly List<string> _output = new();
    private readonly Thread _reader;
    private readonly string _socketPath;

    /// <param name="launcher">A program that runs harrier (its arguments first, then the harrier path), e.g. setpriv.</param>
    public HarrierProcess(string dir, int metricsPort, IEnumerable<string> args, IDictionary<string, string>? env = null, string[]? launcher = null)
    {
        _socketPath = Path.Combine(dir, "notify.sock");
        _notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _notify.Bind(new UnixDomainSocketEndPoint(_socketPath));
        _reader = new Thread(ReadNotify) { IsBackground = true };
        _reader.Start();

        string exe = Program ?? throw new InvalidOperationException("build/harrier is missing: run make build");
        var psi = new ProcessStartInfo(launcher?[0] ?? exe) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (launcher is not null)
        {
            foreach (string a in launcher[1..].Append(exe))
            {
                psi.ArgumentList.Add(a);
            }
        }

        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add("-o");
        psi.ArgumentList.Add($"Metrics:Listen=127.0.0.1:{metricsPort}");
        psi.Environment["NOTIFY_SOCKET"] = _socketPath;
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        Process = System.Diagnostics.Process.Start(psi)!;
        Process.OutputDataReceived += (_, e) => Add(e.Data);
        Process.ErrorDataReceived += (_, e) => Add(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
        MetricsPort = metricsPort;
    }

    public static string? Program => TestPaths.RepoRoot() is { } root && File.Exists(Path.Combine(root, "build", "harrier"))
        ? Path.Combine(root, "build", "harrier") : null;

    public Process Process { get; }

    public int MetricsPort { get; }

    /// <summary>Notify messages received so far, one entry per datagram line (READY=1, WATCHDOG=1...).</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return _messages.ToArray();
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Waits until a notify line satisfying <paramref name="match"/> arrived after index <paramref name="from"/>.</summary>
    public int WaitMessage(Func<string, bool> match, TimeSpan timeout, int from = 0)
    {
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_messages)
        {
            while (true)
            {
                for (int i = from; i < _messages.Count; i++)
                {
                    if (match(_messages[i]))
                    {
                        return i;
                    }
                }

                long left = until - Stopwatch.GetTimestamp();
                if (left <= 0 || Process.HasExited)
                {
                    return -1;
                }

                Monitor.Wait(_messages, TimeSpan.FromMilliseconds(Math.Min(200, left * 1000.0 / Stopwatch.Frequency)));
            }
        }
    }

    public void Signal(int signal) => Harrier.Interop.Signals.Kill(Process.Id, signal);

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            Process.WaitForExit();
        }

        Process.Dispose();
        _notify.Dispose();
        File.Delete(_socketPath);
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

    private void ReadNotify()
    {
        var buf = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = _notify.Receive(buf);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_messages)
            {
                _messages.AddRange(Encoding.UTF8.GetString(buf, 0, n).Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Monitor.PulseAll(_messages);
            }
        }
    }
}
