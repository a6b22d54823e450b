using System.Net;
using System.Net.Sockets;
using Harrier.Events;
using Harrier.Rules.Fields;
using Microsoft.Extensions.Time.Testing;

namespace Harrier.Rules.Tests.Fields;

/// <summary>
/// fd.*ip.name: names written in conditions are resolved forward (never reverse DNS), in the background, and a check
/// is true when the event's address is one of the name's addresses. The resolver and the clock are fakes here.
/// </summary>
public class HostNameFieldTests
{
    /// <summary>Loads wait this long for first answers: lookups run on the thread pool, which a loaded machine may be slow
    /// to schedule; the fake resolver answers at once, so only a broken test waits this long.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly ProcessInfo Curl = Ev.Proc("curl", "/usr/bin/curl", pid: 70, uid: 1000);

    /// <summary>A resolver answering from a table the test changes; counts its calls.</summary>
    private sealed class FakeResolver
    {
        public Dictionary<string, string[]> Answers { get; } = new(StringComparer.Ordinal);

        public Exception? Throw { get; set; }

        public int Calls;

        public Task<IPAddress[]> Resolve(string name, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            if (Throw is { } ex)
            {
                return Task.FromException<IPAddress[]>(ex);
            }

            lock (Answers)
            {
                return Task.FromResult(Answers.TryGetValue(name, out var a)
                    ? a.Select(IPAddress.Parse).ToArray()
                    : throw new SocketException((int)SocketError.HostNotFound));
            }
        }
    }

    private static (CompiledRuleSet Set, DnsNameCache Dns) Load(string condition, FakeResolver resolver, TimeProvider? time = null, string output = "to %fd.sip.name (%fd.sip)")
    {
        var dns = new DnsNameCache(resolver.Resolve, time ?? new FakeTimeProvider(), Patience);
        var yaml = $"""
            - rule: Named host
              desc: test
              condition: evt.type = connect and {condition}
              output: "{output}"
              priority: WARNING
            """;
        var r = RuleLoader.LoadText(yaml, "host.yaml", new RuleLoadOptions { DnsNames = dns });
        Assert.True(r.Success, r.Format());
        Assert.Single(r.RuleSet!.Rules);
        return (r.RuleSet!, dns);
    }

    private static List<RuleMatch> Fire(CompiledRuleSet set, HarrierEvent e)
    {
        var matches = new List<RuleMatch>();
        set.CreateEvaluator().Evaluate(new[] { e }, matches);
        return matches;
    }

    [Theory]
    [InlineData("fd.sip.name = api.example.test", "203.0.113.7", true)]
    [InlineData("fd.sip.name = API.Example.Test.", "203.0.113.7", true)]
    [InlineData("fd.sip.name = api.example.test", "203.0.113.8", true)]
    [InlineData("fd.sip.name = api.example.test", "203.0.113.9", false)]
    [InlineData("fd.sip.name != api.example.test", "203.0.113.9", true)]
    [InlineData("fd.sip.name != api.example.test", "203.0.113.7", false)]
    [InlineData("fd.sip.name in (other.example.test, api.example.test)", "203.0.113.8", true)]
    [InlineData("fd.sip.name in (other.example.test, missing.example.test)", "203.0.113.7", false)]
    [InlineData("fd.sip.name in (other.example.test)", "2001:db8::7", true)]
    [InlineData("fd.rip.name = api.example.test", "203.0.113.7", true)]
    [InlineData("fd.cip.name = api.example.test", "203.0.113.7", false)]
    [InlineData("(fd.sip.name exists or fd.cip.name = api.example.test)", "203.0.113.7", true)] // exists: one of the rules' names
    [InlineData("(fd.sip.name exists or fd.cip.name = api.example.test)", "203.0.113.9", false)]
    [InlineData("fd.sip.name = \"198.51.100.1\"", "198.51.100.1", true)]
    public void Condition_ResolvedNames_MatchByAddress(string condition, string ip, bool expected)
    {
        var resolver = new FakeResolver();
        resolver.Answers["api.example.test"] = ["203.0.113.7", "203.0.113.8"];
        resolver.Answers["other.example.test"] = ["2001:db8::7"];
        resolver.Answers["198.51.100.1"] = ["198.51.100.1"];
        var (set, _) = Load(condition, resolver);

        Assert.Equal(expected, Fire(set, Ev.Connect(Curl, ip, 443)).Count == 1);
    }

    [Fact]
    public void Output_MatchedName_PrintsTheNameFromTheRule()
    {
        var resolver = new FakeResolver();
        resolver.Answers["api.example.test"] = ["203.0.113.7"];
        var (set, _) = Load("fd.sip.name = api.example.test", resolver, output: "to %fd.sip.name (%fd.sip) client=%fd.cip.name");

        var m = Assert.Single(Fire(set, Ev.Connect(Curl, "203.0.113.7", 443)));

        Assert.Equal("to api.example.test (203.0.113.7) client=<NA>", m.Output);
        Assert.Contains(m.OutputFields, kv => kv.Key == "fd.sip.name" && Equals(kv.Value, "api.example.test"));
    }

    [Fact]
    public void Check_UnixSocket_IsFalseAlsoForNotEquals()
    {
        var resolver = new FakeResolver();
        resolver.Answers["api.example.test"] = ["203.0.113.7"];
        var (set, _) = Load("fd.sip.name != api.example.test", resolver);
        var e = Ev.Connect(Curl, "203.0.113.7", 443);
        e.Domain = 1;
        e.Remote = default;

        Assert.Empty(Fire(set, e));
    }

    [Fact]
    public void Load_BuildingEngine_ResolvesOnceUpFront()
    {
        var resolver = new FakeResolver();
        resolver.Answers["api.example.test"] = ["203.0.113.7"];
        var (set, dns) = Load("fd.sip.name in (api.example.test, api.example.test)", resolver);

        Assert.Equal(1, resolver.Calls);
        Assert.Equal([IPAddress.Parse("203.0.113.7")], dns.AddressesOf("api.example.test"));
        for (int i = 0; i < 100; i++)
        {
            Assert.Single(Fire(set, Ev.Connect(Curl, "203.0.113.7", 443)));
        }

        Assert.Equal(1, resolver.Calls); // within the refresh interval the answer is reused
    }

    [Fact]
    public void Validate_NotBuildingEngine_DoesNoLookup()
    {
        var resolver = new FakeResolver();
        var dns = new DnsNameCache(resolver.Resolve, new FakeTimeProvider(), Patience);
        var yaml = "- rule: r\n  desc: d\n  condition: evt.type = connect and fd.sip.name = api.example.test\n  output: o\n  priority: INFO\n";
        var r = RuleLoader.LoadText(yaml, "v.yaml", new RuleLoadOptions { DnsNames = dns, BuildEngine = false });

        Assert.True(r.Success, r.Format());
        Assert.Equal(0, resolver.Calls);
    }

    [Fact]
    public void SkippedRule_Names_AreNotLookedUp()
    {
        var resolver = new FakeResolver();
        var dns = new DnsNameCache(resolver.Resolve, new FakeTimeProvider(), Patience);
        var yaml = "- rule: r\n  desc: d\n  condition: evt.type = connect and fd.sip.name = api.example.test and k8s.pod.labels = x\n  output: o\n  priority: INFO\n";
        var r = RuleLoader.LoadText(yaml, "v.yaml", new RuleLoadOptions { DnsNames = dns });

        Assert.Single(r.Skipped);
        Assert.Equal(0, resolver.Calls);
    }

    [Theory]
    [InlineData("fd.sip.name contains example")]
    [InlineData("fd.sip.name startswith api")]
    [InlineData("fd.sip.name glob \"*.example.test\"")]
    public void Condition_StringOperator_IsRejectedWithReason(string condition)
    {
        var yaml = $"- rule: r\n  desc: d\n  condition: evt.type = connect and {condition}\n  output: o\n  priority: INFO\n";
        var r = RuleLoader.LoadText(yaml, "bad.yaml", new RuleLoadOptions { DnsNames = new DnsNameCache(new FakeResolver().Resolve), BuildEngine = false });

        Assert.False(r.Success);
        Assert.Contains(r.Errors, d => d.Message.Contains("only =, !=, in and exists apply", StringComparison.Ordinal));
    }

    [Fact]
    public void Condition_NotAHostName_IsRejected()
    {
        var yaml = "- rule: r\n  desc: d\n  condition: evt.type = connect and fd.sip.name = \"no spaces allowed\"\n  output: o\n  priority: INFO\n";
        var r = RuleLoader.LoadText(yaml, "bad.yaml", new RuleLoadOptions { DnsNames = new DnsNameCache(new FakeResolver().Resolve), BuildEngine = false });

        Assert.False(r.Success);
        Assert.Contains(r.Errors, d => d.Message.Contains("is not a host name or address", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refresh_AfterInterval_FollowsTheNewAnswer()
    {
        var time = new FakeTimeProvider();
        var resolver = new FakeResolver();
        resolver.Answers["api.example.test"] = ["203.0.113.7"];
        var (set, dns) = Load("fd.sip.name = api.example.test", resolver, time);
        lock (resolver.Answers)
        {
            resolver.Answers["api.example.test"] = ["203.0.113.99"];
        }

        Assert.Single(Fire(set, Ev.Connect(Curl, "203.0.113.7", 443))); // not due yet: the old answer holds
        Assert.Equal(1, resolver.Calls);

        time.Advance(DnsNameCache.BaseRefresh);
        Fire(set, Ev.Connect(Curl, "203.0.113.7", 443)); // this check starts the lookup (and may see either answer)
        await WaitForLookups(dns, 2);

        Assert.Single(Fire(set, Ev.Connect(Curl, "203.0.113.99", 443)));
        Assert.Empty(Fire(set, Ev.Connect(Curl, "203.0.113.7", 443)));
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task Refresh_SameAnswer_IntervalDoublesUpToMax()
    {
        var time = new FakeTimeProvider();
        var resolver = new FakeResolver();
        resolver.Answers["api.example.test"] = ["203.0.113.7"];
        var (set, dns) = Load("fd.sip.name = api.example.test", resolver, time);
        var e = Ev.Connect(Curl, "203.0.113.7", 443);

        // 10 s after the first answer the second lookup runs; then 20, 40, 80, 160, 320, 320 s
        var waits = new[] { 10, 20, 40, 80, 160, 320, 320 };
        int expected = 1;
        foreach (var w in waits)
        {
            time.Advance(TimeSpan.FromSeconds(w - 1));
            Fire(set, e);
            Assert.Equal(expected, resolver.Calls); // one second early: nothing due
            time.Advance(TimeSpan.FromSeconds(1));
            Fire(set, e);
            await WaitForLookups(dns, ++expected);
            Assert.Equal(expected, resolver.Calls);
        }
    }

    [Fact]
    public async Task Lookup_ResolverFails_KeepsLastAddressesAndCountsFailure()
    {
        var time = new FakeTimeProvider();
        var resolver = new FakeResolver();
        resolver.Answers["api.example.test"] = ["203.0.113.7"];
        var (set, dns) = Load("fd.sip.name = api.example.test", resolver, time);

        resolver.Throw = new SocketException((int)SocketError.TryAgain);
        time.Advance(DnsNameCache.BaseRefresh);
        Fire(set, Ev.Connect(Curl, "203.0.113.7", 443));
        await WaitForLookups(dns, 2);

        Assert.Equal(1, dns.Failures);
        Assert.Single(Fire(set, Ev.Connect(Curl, "203.0.113.7", 443)));
    }

    [Fact]
    public void Lookup_NoSuchName_HasNoAddressesAndIsNoFailure()
    {
        var resolver = new FakeResolver();
        var (set, dns) = Load("fd.sip.name != nowhere.example.test", resolver);

        Assert.Equal(1, dns.Lookups);
        Assert.Equal(0, dns.Failures);
        Assert.Empty(dns.AddressesOf("nowhere.example.test"));
        Assert.Single(Fire(set, Ev.Connect(Curl, "203.0.113.7", 443)));
    }

    [Fact]
    public void Register_PastMaxNames_CountsOverflowAndNeverMatches()
    {
        var resolver = new FakeResolver();
        var dns = new DnsNameCache(resolver.Resolve, new FakeTimeProvider(), Patience);
        for (int i = 0; i < DnsNameCache.MaxNames; i++)
        {
            dns.Register($"n{i}.example.test");
        }

        var extra = dns.Register("one-too-many.example.test");

        Assert.Equal(DnsNameCache.MaxNames, dns.Count);
        Assert.Equal(1, dns.Overflows);
        Assert.False(dns.Matches(extra, default));
        Assert.Equal(0, resolver.Calls);
    }

    [Fact]
    public void DefaultResolver_Localhost_ResolvesThroughTheSystemResolver()
    {
        // the system resolver reads /etc/hosts first: no network needed
        var dns = new DnsNameCache();
        var name = dns.Register("localhost");
        dns.Prime([name], Patience);

        Assert.Contains(dns.AddressesOf("localhost"), a => IPAddress.IsLoopback(a));
        Assert.True(dns.Matches(name, IpValue.From(SockAddress.FromIP(IPAddress.Loopback, 0))!.Value)
            || dns.AddressesOf("localhost").All(a => a.AddressFamily == AddressFamily.InterNetworkV6));
    }

    /// <summary>A lookup runs on the thread pool: waits for the one the check started (bounded), not for time to pass.</summary>
    private static async Task WaitForLookups(DnsNameCache dns, long count)
    {
        await dns.Register("api.example.test").Lookup.WaitAsync(Patience);
        Assert.Equal(count, dns.Lookups);
    }
}
