using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Harrier.Engine.Enrichment;

/// <summary>
/// Maps uids and gids to names from <c>passwd</c> and <c>group</c> under a configurable root (the host's
/// <c>/etc</c>). Files are re-read when their modification time or size changes, checked at most once per
/// <see cref="RefreshInterval"/> by <see cref="Refresh"/>; <see cref="Version"/> changes on every reload so
/// callers can re-resolve cached names. Unknown ids resolve to the empty string (Falco prints <c>&lt;NA&gt;</c>).
/// Malformed lines are skipped and counted; a missing or oversized file leaves the previous names in place and
/// is logged. Lookups do not allocate. Not thread-safe: one enrichment thread owns it.
/// </summary>
internal sealed partial class UserResolver
{
    /// <summary>The default interval between file-change checks.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>Files larger than this are not loaded (a hostile or corrupt database).</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private readonly string _passwdPath;
    private readonly string _groupPath;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Dictionary<uint, string> _users = new();
    private Dictionary<uint, string> _groups = new();
    private (DateTime, long) _passwdStamp = (DateTime.MinValue, -1);
    private (DateTime, long) _groupStamp = (DateTime.MinValue, -1);
    private long _lastCheck;
    private long _malformedLines;

    /// <summary>Loads both files at once.</summary>
    /// <param name="etcRoot">Directory holding <c>passwd</c> and <c>group</c>.</param>
    /// <param name="time">Clock for the refresh interval.</param>
    /// <param name="refreshInterval">Minimum time between change checks; default 5 s.</param>
    /// <param name="logger">Optional logger.</param>
    public UserResolver(string etcRoot, TimeProvider? time = null, TimeSpan? refreshInterval = null, ILogger? logger = null)
    {
        _passwdPath = Path.Combine(etcRoot, "passwd");
        _groupPath = Path.Combine(etcRoot, "group");
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        RefreshInterval = refreshInterval ?? DefaultRefreshInterval;
        _lastCheck = _time.GetTimestamp();
        Reload();
    }

    public TimeSpan RefreshInterval { get; }

    /// <summary>Incremented every time the names are reloaded.</summary>
    public int Version { get; private set; }

    /// <summary>Lines of either file that could not be parsed, over all loads.</summary>
    public long MalformedLines => Interlocked.Read(ref _malformedLines);

    public int UserCount => _users.Count;

    public int GroupCount => _groups.Count;

    /// <summary>The user name for a uid, or empty when unknown.</summary>
    public string UserName(uint uid) => _users.TryGetValue(uid, out var name) ? name : string.Empty;

    /// <summary>The group name for a gid, or empty when unknown.</summary>
    public string GroupName(uint gid) => _groups.TryGetValue(gid, out var name) ? name : string.Empty;

    /// <summary>Checks (at most once per <see cref="RefreshInterval"/>) whether either file changed and reloads it.
    /// Cheap and allocation-free when the interval has not elapsed.</summary>
    /// <returns>True when names were reloaded.</returns>
    public bool Refresh()
    {
        if (_time.GetElapsedTime(_lastCheck) < RefreshInterval)
        {
            return false;
        }

        _lastCheck = _time.GetTimestamp();
        if (Stamp(_passwdPath) == _passwdStamp && Stamp(_groupPath) == _groupStamp)
        {
            return false;
        }

        Reload();
        return true;
    }

    private void Reload()
    {
        _passwdStamp = Stamp(_passwdPath);
        _groupStamp = Stamp(_groupPath);
        var users = Load(_passwdPath, _passwdStamp.Item2, minFields: 7);
        var groups = Load(_groupPath, _groupStamp.Item2, minFields: 4);
        if (users is not null)
        {
            _users = users;
        }

        if (groups is not null)
        {
            _groups = groups;
        }

        Version++;
        LogLoaded(_logger, _users.Count, _groups.Count, Path.GetDirectoryName(_passwdPath) ?? string.Empty);
    }

    /// <summary>Parses a colon-separated database: field 0 the name, field 2 the numeric id. The first entry for an
    /// id wins, as getpwuid(3) returns it.</summary>
    private Dictionary<uint, string>? Load(string path, long length, int minFields)
    {
        if (length < 0)
        {
            LogUnreadable(_logger, path, "missing");
            return null;
        }

        if (length > MaxFileBytes)
        {
            LogUnreadable(_logger, path, $"larger than {MaxFileBytes} bytes");
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(_logger, path, ex.Message);
            return null;
        }

        var map = new Dictionary<uint, string>();
        Span<Range> fields = stackalloc Range[8];
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '#' || line[0] == '+' || line[0] == '-')
            {
                continue; // blank, comment, or NIS compat entry
            }

            int count = line.Split(fields, ':');
            if (count < minFields || line[fields[0]].IsEmpty
                || !uint.TryParse(line[fields[2]], NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
            {
                Interlocked.Increment(ref _malformedLines);
                continue;
            }

            map.TryAdd(id, line[fields[0]].ToString());
        }

        return map;
    }

    private static (DateTime, long) Stamp(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (DateTime.MinValue, -1);
        }
    }

    [LoggerMessage(EventId = 2112, Level = LogLevel.Debug, Message = "User database loaded from {Directory}: {Users} users, {Groups} groups")]
    private static partial void LogLoaded(ILogger logger, int users, int groups, string directory);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Warning, Message = "User database file {Path} not loaded ({Reason}); user and group names keep their previous values")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);
}
