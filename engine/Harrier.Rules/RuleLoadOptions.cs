namespace Harrier.Rules;

/// <summary>Options of one load. Immutable.</summary>
public sealed record RuleLoadOptions
{
    public RuleMatchingMode RuleMatching { get; init; } = RuleMatchingMode.All;

    /// <summary>Only rules at least this severe are compiled (Falco's <c>priority</c> setting).</summary>
    public Events.Priority MinimumPriority { get; init; } = Events.Priority.Debug;

    /// <summary>Warn about macros and lists no rule uses (as Falco does).</summary>
    public bool WarnUnused { get; init; } = true;

    /// <summary>
    /// Pre-match stage: before NRules, each event is checked against the compiled conditions of the rules indexed
    /// under its event type, and only events that satisfy at least one are inserted into the NRules session (which
    /// then decides and fires). Off: every event of an interesting type goes through NRules' Rete network.
    /// </summary>
    public bool PreMatch { get; init; } = true;

    /// <summary>Build the NRules session factory (tools like <c>rules validate</c> may skip it).</summary>
    public bool BuildEngine { get; init; } = true;

    /// <summary>The most step facts correlation rules keep per evaluator; past it the oldest are evicted and counted.</summary>
    public int CorrelationMaxFacts { get; init; } = 100_000;

    /// <summary>
    /// Where <c>fd.*ip.name</c> checks find the addresses of the names they compare against; null = the process-wide
    /// <see cref="Fields.DnsNameCache.Shared"/>. A load that builds the engine starts the lookups of its names and
    /// waits up to the cache's <see cref="Fields.DnsNameCache.PrimeWait"/> for them.
    /// </summary>
    public Fields.DnsNameCache? DnsNames { get; init; }
}
