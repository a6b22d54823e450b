using Harrier.Engine.Bench;
using Harrier.Engine.Enforcement;
using Harrier.Host.Commands;
using Harrier.Host.Install;
using Harrier.Outputs.Kafka;
using Harrier.Rules;
using Harrier.Seccomp.Cli;

namespace Harrier.Host;

/// <summary>
/// Command-line entry: parses the verb and dispatches. The verbs, their flags and JSON keys are a contract that
/// scripts rely on (docs/cli.md). Exit codes: 0 ok, 1 failure (or a rule/kernel error), 2 usage, 78 bad configuration.
/// </summary>
internal static class Cli
{
    public const string Usage = """
        usage: harrier <verb> [options]
          run [-r FILE|DIR]... [--config FILE] [-o Section:Key=value]...   the main job: probes, rules, alerts
          events [--json] [--duration S] [--filter CONDITION]              stream enriched events
          info [--json]                                                    kernel features and enforcement paths
          rules validate FILE|DIR... [--json]                              check rule files (exit 1 on any error)
          rules list [-r FILE|DIR]...                                      list the rules a rule set defines
          fields [--json]                                                  the fields rules can use
          exec --profile FILE [-r FILE|DIR]... -- CMD [ARGS...]            run a workload under a seccomp profile (notify calls decided by rules)
          seccomp export PROFILE | import [--lenient] FILE | check PROFILE | compile [--hex] PROFILE | bench [CALLS]
          bench pipeline|rules|outputs|enforce [--json] [...]              benchmarks that print numbers
          install [--root DIR] | uninstall [--root DIR] [--purge]          systemd service layout
          selftest enforce                                                 BPF LSM end-to-end suite (VM lane)
          support [--config FILE]                                          one JSON document for bug reports
          stop [--pid PID] [--unpin] [--pin-root DIR] [--cgroup-pin-root DIR]  stop the service (or PID); --unpin removes pinned enforcement
          reload --pid PID                                                 reload config and rules of a running harrier (SIGHUP)
          version
        """;

    public static int Run(string[] args)
    {
        var o = Console.Out;
        var err = Console.Error;
        if (args.Length == 0)
        {
            err.WriteLine(Usage);
            return 2;
        }

        string[] rest = args[1..];
        try
        {
            return args[0] switch
            {
                "run" => RunCommand.Run(rest, o, err),
                "events" => EventsCommand.Run(rest, o, err),
                "info" => InfoCommand.Run(rest, o, err),
                "support" => SupportCommand.Run(rest, o, err),
                "stop" => StopCommand.Run(rest, o, err),
                "reload" => ReloadCommand.Run(rest, o, err),
                "rules" when rest.Length > 0 && rest[0] == "validate" => RulesCommands.Validate(rest[1..], o),
                "rules" when rest.Length > 0 && rest[0] == "list" => RulesCommands.List(rest[1..], o),
                "fields" => RulesCommands.Fields(rest, o),
                "exec" => ExecSupervisor.Run(rest, o, err),
                "seccomp" => SeccompCommands.Run(rest, o, err),
                "bench" when rest.Length > 0 && rest[0] == "pipeline" => PipelineBench.Run(rest[1..], o),
                "bench" when rest.Length > 0 && rest[0] == "enforce" => EnforceBench.Run(rest[1..], o),
                "bench" when rest.Length > 0 && rest[0] == "outputs" => OutputsBench.Run(rest[1..], o),
                "bench" when rest.Length > 0 && rest[0] == "rules" => RulesBench.Run(rest[1..], o),
                "install" or "uninstall" => InstallCommand.Run(args, o),
                "selftest" when rest.Length > 0 && rest[0] == "enforce" =>
                    EnforcementSelfTest.Run(rest[1..], o, [Environment.ProcessPath ?? "harrier", "selftest", "enforce"]),
                "version" or "--version" => Version(o),
                "help" or "--help" or "-h" => Help(o),
                _ => Unknown(args[0], err),
            };
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            err.WriteLine($"harrier: a native library is missing ({ex.Message}); install libbpf1 (`apt-get install libbpf1`) or run `make build`");
            return 1;
        }
    }

    private static int Version(TextWriter o)
    {
        o.WriteLine($"harrier {typeof(Cli).Assembly.GetName().Version?.ToString(3)}");
        return 0;
    }

    private static int Help(TextWriter o)
    {
        o.WriteLine(Usage);
        return 0;
    }

    private static int Unknown(string verb, TextWriter err)
    {
        err.WriteLine($"harrier: unknown verb or sub-command '{verb}'");
        err.WriteLine(Usage);
        return 2;
    }
}
