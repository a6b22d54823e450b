using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Harrier.Host.Install;

/// <summary>
/// Pings systemd's watchdog (<c>WATCHDOG=1</c>) at half the unit's <c>WatchdogSec</c> while the engine is healthy, so
/// deploy/harrier.service's <c>WatchdogSec=</c> restarts a wedged engine. <c>AddSystemd()</c> sends only READY=1 and
/// STOPPING=1; this adds the pings. Inactive (returns at once) when systemd did not ask for a watchdog
/// (<c>WATCHDOG_USEC</c> unset, or <c>WATCHDOG_PID</c> names another process) or no notify socket exists.
/// Register with <c>services.AddHostedService(sp =&gt; new SystemdWatchdog(sp.GetService&lt;ISystemdNotifier&gt;(), ...))</c>,
/// passing a health check such as "the pipeline consumed events or was idle within the last interval". Thread-safe.
/// </summary>
internal sealed partial class SystemdWatchdog : BackgroundService
{
    private static readonly ServiceState Ping = new("WATCHDOG=1");

    private readonly ISystemdNotifier? _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<bool> _healthy;
    private readonly TimeSpan? _interval;
    private long _pings;
    private long _withheld;

    /// <param name="notifier">From <c>AddSystemd()</c>, which registers one only when running under systemd:
    /// pass <c>sp.GetService&lt;ISystemdNotifier&gt;()</c>; null makes the watchdog inactive.</param>
    /// <param name="time">The clock for the ping interval.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="healthy">Returns false to withhold a ping (systemd then restarts the service); null = always healthy.</param>
    /// <param name="watchdogUsec">The value of <c>WATCHDOG_USEC</c>; null reads the environment.</param>
    /// <param name="watchdogPid">The value of <c>WATCHDOG_PID</c>; null reads the environment.</param>
    public SystemdWatchdog(ISystemdNotifier? notifier, TimeProvider time, ILogger logger, Func<bool>? healthy = null, string? watchdogUsec = null, string? watchdogPid = null)
    {
        _notifier = notifier;
        _time = time;
        _logger = logger;
        _healthy = healthy ?? (() => true);
        _interval = Interval(
            watchdogUsec ?? Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            watchdogPid ?? Environment.GetEnvironmentVariable("WATCHDOG_PID"),
            Environment.ProcessId);
    }

    /// <summary>The ping interval, or null when the watchdog is off.</summary>
    public TimeSpan? PingInterval => _notifier is { IsEnabled: true } ? _interval : null;

    /// <summary>Pings sent.</summary>
    public long Pings => Interlocked.Read(ref _pings);

    /// <summary>Pings withheld because the health check failed.</summary>
    public long Withheld => Interlocked.Read(ref _withheld);

    /// <summary>Half of <c>WATCHDOG_USEC</c> (as sd_watchdog_enabled(3) recommends), or null when not for this process.</summary>
    public static TimeSpan? Interval(string? watchdogUsec, string? watchdogPid, int selfPid)
    {
        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out ulong usec) || usec == 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(watchdogPid)
            && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid != selfPid))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(Math.Max(1, usec / 2));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (PingInterval is not { } interval || _notifier is null)
        {
            return;
        }

        LogActive(_logger, interval.TotalSeconds);
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            do
            {
                if (_healthy())
                {
                    _notifier.Notify(Ping);
                    Interlocked.Increment(ref _pings);
                }
                else
                {
                    Interlocked.Increment(ref _withheld);
                    LogWithheld(_logger);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "systemd watchdog active: pinging every {IntervalSeconds:F1} s")]
    private static partial void LogActive(ILogger logger, double intervalSeconds);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "systemd watchdog ping withheld: the engine reported itself unhealthy; systemd restarts it if this persists")]
    private static partial void LogWithheld(ILogger logger);
}
