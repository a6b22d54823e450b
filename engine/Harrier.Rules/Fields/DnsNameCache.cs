using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Harrier.Events;

namespace Harrier.Rules.Fields;

/// <summary>
/// The addresses of the DNS names that rules compare socket addresses against (<c>fd.sip.name</c>,
/// <c>fd.cip.name</c>, <c>fd.lip.name</c>, <c>fd.rip.name</c>). As in Falco, a name is never looked up from an event's
/// address (no reverse DNS): the names written in conditions are resolved forward, and a check is true when the
/// event's address is among the addresses of the name. Lookups run in the background, never on the event path:
/// a load that builds the engine waits up to <see cref="PrimeWait"/> for its names, and a name whose answer is older
/// than its interval is looked up again when a check next reads it (10 s, doubling up to 320 s while the answer stays
/// the same). A failed lookup keeps the last addresses and is retried after 10 s; a name that does not exist has no
/// addresses. Thread-safe.
/// </summary>
public sealed class DnsNameCache
{
    /// <summary>The first refresh interval, and the interval after an answer changed or a lookup failed.</summary>
    public static readonly TimeSpan BaseRefresh = TimeSpan.FromSeconds(10);

    /// <summary>The longest refresh interval.</summary>
    public static readonly TimeSpan MaxRefresh = TimeSpan.FromSeconds(320);

    /// <summary>How long a load that builds the engine waits for the first answers of its names, by default.</summary>
    public static readonly TimeSpan DefaultPrimeWait = TimeSpan.FromSeconds(1);

    /// <summary>The most names held; past it new names never resolve (their checks are false) and are counted.</summary>
    public const int MaxNames = 4096;

    private readonly ConcurrentDictionary<string, DnsName> _names = new(StringComparer.Ordinal);
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly TimeProvider _time;
    private DnsName[] _ordered = [];
    private long _lookups;
    private long _failures;
    private long _overflows;

    /// <param name="resolve">Forward lookup of a name (the default uses the system resolver: /etc/hosts, then DNS).</param>
    /// <param name="time">Time source for the refresh schedule.</param>
    /// <param name="primeWait">How long a load waits for the first answers of its names (default 1 s).</param>
    public DnsNameCache(Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null, TimeProvider? time = null, TimeSpan? primeWait = null)
    {
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
        _time = time ?? TimeProvider.System;
        PrimeWait = primeWait ?? DefaultPrimeWait;
    }

    /// <summary>How long a load that builds the engine waits for the first answers of its names.</summary>
    public TimeSpan PrimeWait { get; }

    /// <summary>The process-wide cache that rule loads use unless <see cref="RuleLoadOptions.DnsNames"/> names another.</summary>
    public static DnsNameCache Shared { get; } = new();

    /// <summary>Lookups finished (successful or not).</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    /// <summary>Lookups that failed for another reason than "no such name" (no resolver, timeout...).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Names refused because <see cref="MaxNames"/> were held.</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Names held.</summary>
    public int Count => _names.Count;

    /// <summary>The addresses a name resolved to last (empty when unknown or not resolved yet).</summary>
    public IReadOnlyList<IPAddress> AddressesOf(string name)
        => _names.TryGetValue(Normalize(name), out var n)
            ? n.Addresses.Select(a => IPAddress.Parse(a.ToString())).ToList()
            : [];

    /// <summary>The entry of <paramref name="name"/>, created (not yet resolved) when new. No I/O.</summary>
    internal DnsName Register(string name)
    {
        var key = Normalize(name);
        if (_names.TryGetValue(key, out var known))
        {
            return known;
        }

        if (_names.Count >= MaxNames)
        {
            Interlocked.Increment(ref _overflows);
            return new DnsName(key) { Attempted = true, DueTimestamp = long.MaxValue };
        }

        lock (_names)
        {
            if (_names.TryGetValue(key, out known))
            {
                return known;
            }

            var n = new DnsName(key);
            _names[key] = n;
            _ordered = [.. _ordered, n];
            return n;
        }
    }

    /// <summary>True when <paramref name="ip"/> is one of the addresses of <paramref name="name"/>; starts a due lookup.</summary>
    internal bool Matches(DnsName name, IpValue ip)
    {
        if (name.DueTimestamp != long.MaxValue && _time.GetTimestamp() >= Volatile.Read(ref name.DueTimestamp))
        {
            Start(name);
        }

        return name.Contains(ip);
    }

    /// <summary>The first held name (in the order rules named them) that <paramref name="ip"/> is an address of, or null.</summary>
    internal string? NameOf(IpValue? ip)
    {
        if (ip is not { } x)
        {
            return null;
        }

        foreach (var n in Volatile.Read(ref _ordered))
        {
            if (Matches(n, x))
            {
                return n.Name;
            }
        }

        return null;
    }

    /// <summary>Starts the lookups of <paramref name="names"/> that never ran and waits for them, up to <see cref="PrimeWait"/>.</summary>
    internal void Prime(IEnumerable<DnsName> names) => Prime(names, PrimeWait);

    /// <summary>Starts the lookups of <paramref name="names"/> that never ran and waits for them, up to <paramref name="wait"/>.</summary>
    internal void Prime(IEnumerable<DnsName> names, TimeSpan wait)
    {
        var pending = new List<Task>();
        foreach (var n in names)
        {
            if (!n.Attempted && n.DueTimestamp != long.MaxValue)
            {
                pending.Add(Start(n, inline: true));
            }
        }

        if (pending.Count > 0)
        {
            try
            {
                Task.WaitAll(pending.ToArray(), wait);
            }
            catch (AggregateException)
            {
                // (lookups record their own failures)
            }
        }
    }

    /// <summary>
    /// Looks <paramref name="name"/> up now unless a lookup is running; returns that lookup. From a check (the event
    /// path) the lookup starts on the thread pool; <paramref name="inline"/> (a load) starts it on the caller's thread,
    /// so a resolver that answers at once has answered when this returns.
    /// </summary>
    internal Task Start(DnsName name, bool inline = false)
    {
        if (Interlocked.CompareExchange(ref name.InFlight, 1, 0) != 0)
        {
            return Volatile.Read(ref name.Lookup);
        }

        // (pushed out first, so checks that race with this one do not start another)
        Volatile.Write(ref name.DueTimestamp, long.MaxValue - 1);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref name.Lookup, done.Task); // (before the lookup runs: it may finish before this returns)
        if (inline)
        {
            _ = LookupAsync(name, done);
        }
        else
        {
            _ = Task.Run(() => LookupAsync(name, done));
        }

        return done.Task;
    }

    /// <summary>One lookup; never throws (its outcome is in the entry and the counters), completes <paramref name="done"/>.</summary>
    private async Task LookupAsync(DnsName name, TaskCompletionSource done)
    {
        TimeSpan next;
        try
        {
            IPAddress[] found;
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                found = await _resolve(name.Name, cts.Token).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
            {
                found = [];
            }

            var addresses = found
                .Select(a => IpValue.From(SockAddress.FromIP(a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a, 0)))
                .OfType<IpValue>()
                .Distinct()
                .ToArray();
            bool same = name.Attempted && addresses.Length == name.Addresses.Length && addresses.All(name.Contains);
            name.Addresses = addresses;
            next = same ? TimeSpan.FromTicks(Math.Min(name.Interval.Ticks * 2, MaxRefresh.Ticks)) : BaseRefresh;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // (no resolver, a timeout, a resolver that throws: the last addresses stay, the next lookup retries)
            Interlocked.Increment(ref _failures);
            next = BaseRefresh;
        }

        name.Interval = next;
        name.Attempted = true;
        Interlocked.Increment(ref _lookups);
        Volatile.Write(ref name.DueTimestamp, _time.GetTimestamp() + (long)(next.TotalSeconds * _time.TimestampFrequency));
        Volatile.Write(ref name.InFlight, 0);
        done.TrySetResult();
    }

    private static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();
}
