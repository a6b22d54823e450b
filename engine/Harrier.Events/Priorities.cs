namespace Harrier.Events;

/// <summary>Parses and names <see cref="Priority"/> values as Falco does (case-insensitive, <c>info</c> accepted).</summary>
public static class Priorities
{
    public static bool TryParse(string? text, out Priority priority)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "emergency": priority = Priority.Emergency; return true;
            case "alert": priority = Priority.Alert; return true;
            case "critical": priority = Priority.Critical; return true;
            case "error": priority = Priority.Error; return true;
            case "warning": priority = Priority.Warning; return true;
            case "notice": priority = Priority.Notice; return true;
            case "informational" or "info": priority = Priority.Informational; return true;
            case "debug": priority = Priority.Debug; return true;
            default: priority = Priority.Debug; return false;
        }
    }

    /// <summary>Falco's long name, as in its JSON output (<c>Warning</c>, <c>Informational</c>...).</summary>
    public static string Name(Priority priority) => priority.ToString();
}
