using System.Diagnostics;
using Harrier.Engine.Detection;
using Harrier.Engine.Enrichment;
using Harrier.Engine.Ingest;
using Harrier.Engine.Loading;
using Harrier.Engine.Pipeline;
using Harrier.Engine.Verdicts;
using Harrier.Events;
using Harrier.Kernel.Tests.Observation;
using Harrier.Rules;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Kernel.Tests.Pipeline;

/// <summary>
/// The whole pipeline on the running kernel with Falco's stable rules loaded (read from ../shared/falco-rules beside
/// the checkout): probes → process table → NRules → verdicts → collected alerts. Tests stage real actions on the host
/// and wait for the same-named Falco rule to fire for the acting process.
/// </summary>
public class FalcoRulesFixture : IDisposable
{
    private readonly object _gate = new();
    private readonly List<Alert> _alerts = new();

    public FalcoRulesFixture()
        : this(FindFalcoRules())
    {
    }

    /// <summary>The pipeline over the rule files at <paramref name="rulesPath"/> (nothing runs when null or not root).</summary>
    protected FalcoRulesFixture(string? rulesPath, params string[] more)
    {
        RulesPath = rulesPath;
        if (KernelFactAttribute.MissingRequirement() is not null || RulesPath is null)
        {
            return;
        }

        var loaded = RuleLoader.Load([RulesPath, .. more], new RuleLoadOptions { DnsNames = Dns });
        if (!loaded.Success || loaded.RuleSet is null)
        {
            throw new InvalidOperationException($"rules at {RulesPath} did not load:\n" + loaded.Format());
        }

        RuleSet = loaded.RuleSet;
        Directory.CreateDirectory(DockerRoot);
        Processes = new ProcessTable(new EnrichmentOptions(), containers: new ContainerMetadataReader(DockerRoot, Path.Combine(RuntimeRoot, "containerd"), Path.Combine(RuntimeRoot, "storage")));
        Processes.Seed();
        var detection = new DetectionStage(RuleSet);
        var verdicts = new VerdictRouter(new EnforcementOptions(), NullLogger.Instance);
        Pipeline = new EventPipeline(Processes, detection, verdicts, Collect, "harrier-test");
        Source = KernelEventSource.Open(new ProbeOptions { WakeupThresholdBytes = 0, PollTimeoutMs = 1 }, NullLoggerFactory.Instance);
        Source.SetInterestingTypes(RuleSet.InterestingTypes.ToArray());
        Source.Start(Pipeline.OnBatch);
    }

    public string? RulesPath { get; }

    /// <summary>The name Falco's rules know the Kubernetes API server by, and the loopback address it resolves to here.</summary>
    public const string KubernetesApiName = "kubernetes.default.svc.cluster.local";

    public static readonly System.Net.IPAddress KubernetesApiAddress = System.Net.IPAddress.Parse("127.0.0.3");

    /// <summary>The rules' DNS names: the API server name answered by the test, every other name by the system resolver.</summary>
    public Harrier.Rules.Fields.DnsNameCache Dns { get; } = new((name, ct) => name == KubernetesApiName
        ? Task.FromResult(new[] { KubernetesApiAddress })
        : System.Net.Dns.GetHostAddressesAsync(name, ct), primeWait: TimeSpan.FromSeconds(30)); // (a loaded machine may start lookups late)

    /// <summary>Stands in for the state directories of container runtimes (tests write a docker container's files
    /// under <see cref="DockerRoot"/>/containers/ID).</summary>
    public string RuntimeRoot { get; } = Path.Combine(Path.GetTempPath(), $"harrier-e2e-runtime-{Environment.ProcessId}");

    public string DockerRoot => Path.Combine(RuntimeRoot, "docker");

    public CompiledRuleSet? RuleSet { get; }

    internal ProcessTable? Processes { get; }

    internal EventPipeline? Pipeline { get; }

    internal KernelEventSource? Source { get; }

    /// <summary>Waits up to <paramref name="timeout"/> for an alert of <paramref name="rule"/> matching the predicate.</summary>
    public Alert? WaitForAlert(string rule, Func<Alert, bool> match, TimeSpan timeout)
    {
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_gate)
        {
            while (true)
            {
                var hit = _alerts.FirstOrDefault(a => a.Rule == rule && match(a));
                if (hit is not null)
                {
                    return hit;
                }

                long left = until - Stopwatch.GetTimestamp();
                if (left <= 0)
                {
                    return null;
                }

                Monitor.Wait(_gate, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
            }
        }
    }

    /// <summary>The rules that fired so far, for assertion messages.</summary>
    public string Fired()
    {
        lock (_gate)
        {
            var st = Source?.Stats;
            string stats = st is null ? string.Empty
                : $"\nstats: received={st.Received} kernelLost={st.KernelLost} userLost={st.UserLost} decodeErrors={st.DecodeErrors}";
            return string.Join("\n", _alerts.Select(a => $"{a.Rule}: pid={a.Process?.Pid} {a.Output}")) + stats;
        }
    }

    public void Dispose()
    {
        Source?.Dispose();
        if (Directory.Exists(RuntimeRoot))
        {
            Directory.Delete(RuntimeRoot, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    internal static string? FindFalcoRules()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "shared", "falco-rules", "falco_rules.yaml");
            if (File.Exists(p))
            {
                return p;
            }
        }

        return null;
    }

    private void Collect(Alert alert)
    {
        lock (_gate)
        {
            _alerts.Add(alert);
            Monitor.PulseAll(_gate);
        }
    }
}
