using Harrier.Engine.Loading;
using Harrier.Host.Install;
using Harrier.Host.Service;
using Microsoft.Extensions.Hosting.Systemd;
using Harrier.Rules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Harrier.Host.Commands;

/// <summary>
/// <c>harrier run [-r FILE|DIR]... [--config FILE] [-o Section:Key=value]...</c>: the main job as a hosted service
/// (systemd notify/watchdog aware). Rule errors are printed all at once with file:line:col and exit 1; configuration
/// errors exit 78; a kernel that cannot run the probes exits 1 with one line naming the fix.
/// </summary>
internal static class RunCommand
{
    public const string Usage = "usage: harrier run [-r FILE|DIR]... [--config FILE] [-o Section:Key=value]...";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = ArgReader.Parse(args, [], ["-r|--rules", "--config|-c", "-o|--set"]);
        if (a.Errors.Count > 0 || a.Positional.Count > 0)
        {
            stderr.WriteLine(string.Join(Environment.NewLine, a.Errors.Concat(a.Positional.Select(p => $"unexpected argument '{p}'"))));
            stderr.WriteLine(Usage);
            return 2;
        }

        var (settings, root) = EngineSettingsLoader.Load(a.Value("--config"), a.Values("-o"), a.Values("-r"), stderr);
        if (settings is null || root is null)
        {
            return 78;
        }

        var loaded = settings.LoadRules();
        if (!loaded.Success || loaded.RuleSet is null)
        {
            stderr.WriteLine(loaded.Format());
            return 1;
        }

        if (loaded.Warnings.Count > 0)
        {
            stderr.WriteLine($"harrier: {loaded.Warnings.Count} rule warnings, {loaded.Skipped.Count} rules skipped (see `harrier rules validate`)");
        }

        // EngineService logs a start-up failure as one line; the host's own report of the same exception (with a
        // stack trace) is left out.
        var logger = new LoggerConfiguration().ReadFrom.Configuration(root).Enrich.With(new SyslogPrefixEnricher())
            .Filter.ByExcluding(e => e.Exception is ProbeStartupException).CreateLogger();
        try
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                DisableDefaults = true,
                Configuration = new Microsoft.Extensions.Configuration.ConfigurationManager(),
            });
            builder.Services.AddSystemd();
            builder.Services.AddSerilog(logger, dispose: false);
            builder.Services.AddSingleton(settings);
            builder.Services.AddSingleton(loaded.RuleSet);
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton<EngineService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<EngineService>());
            builder.Services.AddHostedService(sp => new SystemdWatchdog(
                new SystemdNotifier(),
                TimeProvider.System,
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Harrier.Host.Watchdog"),
                healthy: () => sp.GetRequiredService<EngineService>().IsHealthy));
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
            using var host = builder.Build();
            try
            {
                host.Run();
            }
            catch (ProbeStartupException)
            {
                return 1; // already logged by EngineService
            }

            return Environment.ExitCode;
        }
        finally
        {
            logger.Dispose();
        }
    }
}
