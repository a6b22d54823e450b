using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Harrier.Host.Metrics;

/// <summary>
/// Serves <c>GET /metrics</c> (Prometheus text) and <c>GET /healthz</c> (200 "ok" or 503 with the reason) on the
/// configured loopback address. Runs its own accept loop; <see cref="DisposeAsync"/> stops it.
/// </summary>
internal sealed partial class MetricsServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<EngineSnapshot> _snapshot;
    private readonly HealthEvaluator _health;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public MetricsServer(MetricsOptions options, Func<EngineSnapshot> snapshot, HealthEvaluator health, ILogger logger)
    {
        MetricsOptions.TryParseListen(options.Listen, out var address, out int port);
        string host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        _listener.Prefixes.Add($"http://{host}:{port}/");
        _snapshot = snapshot;
        _health = health;
        _logger = logger;
        Prefix = $"http://{host}:{port}/";
    }

    public string Prefix { get; }

    /// <exception cref="HttpListenerException">The address cannot be bound (in use, not local).</exception>
    public void Start()
    {
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_listener.IsListening)
        {
            _listener.Stop();
        }

        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }

        _listener.Close();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                Handle(ctx);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or InvalidOperationException)
            {
                LogRequestFailed(_logger, ex.Message);
            }
        }
    }

    private void Handle(HttpListenerContext ctx)
    {
        var res = ctx.Response;
        string path = ctx.Request.Url?.AbsolutePath ?? "/";
        string body;
        if (ctx.Request.HttpMethod is not ("GET" or "HEAD"))
        {
            res.StatusCode = 405;
            body = "method not allowed\n";
        }
        else if (path == "/metrics")
        {
            res.ContentType = PrometheusText.ContentType;
            body = PrometheusText.Render(_snapshot());
        }
        else if (path == "/healthz")
        {
            string? reason = _health.Check(_snapshot());
            res.StatusCode = reason is null ? 200 : 503;
            res.ContentType = "text/plain; charset=utf-8";
            body = reason is null ? "ok\n" : $"unhealthy: {reason}\n";
        }
        else
        {
            res.StatusCode = 404;
            body = "not found: try /metrics or /healthz\n";
        }

        byte[] bytes = Encoding.UTF8.GetBytes(body);
        res.ContentLength64 = bytes.Length;
        if (ctx.Request.HttpMethod == "GET")
        {
            res.OutputStream.Write(bytes);
        }

        res.Close();
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Debug, Message = "metrics request failed: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, string reason);
}
