namespace Harrier.Rules.Fields;

/// <summary>
/// One DNS name that a condition compares addresses against (<c>fd.sip.name = example.com</c>), with the addresses it
/// last resolved to. The address set is replaced whole (readers see the old or the new set, never a mix); the refresh
/// schedule is owned by <see cref="DnsNameCache"/>.
/// </summary>
internal sealed class DnsName
{
    private IpValue[] _addresses = [];

    public DnsName(string name) => Name = name;

    /// <summary>The name as rules wrote it, lower-cased, without a trailing dot.</summary>
    public string Name { get; }

    /// <summary>The addresses of the last successful lookup (empty before it, or when the name does not exist).</summary>
    public IpValue[] Addresses
    {
        get => Volatile.Read(ref _addresses);
        set => Volatile.Write(ref _addresses, value);
    }

    /// <summary>1 while a lookup runs (only one at a time per name).</summary>
    public int InFlight;

    /// <summary>True once a lookup finished (successfully or not).</summary>
    public volatile bool Attempted;

    /// <summary>When the next lookup is due (a <see cref="TimeProvider"/> timestamp); 0 = now.</summary>
    public long DueTimestamp;

    /// <summary>The wait before the next lookup: doubles while the answer stays the same.</summary>
    public TimeSpan Interval = DnsNameCache.BaseRefresh;

    /// <summary>The lookup in progress, or the last one (callers that prime the cache wait on it).</summary>
    public Task Lookup = Task.CompletedTask;

    public bool Contains(IpValue ip)
    {
        foreach (var a in Addresses)
        {
            if (a == ip)
            {
                return true;
            }
        }

        return false;
    }
}
