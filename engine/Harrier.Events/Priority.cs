namespace Harrier.Events;

/// <summary>Falco's eight priorities, most severe first (syslog order).</summary>
public enum Priority : byte
{
    Emergency = 0,
    Alert = 1,
    Critical = 2,
    Error = 3,
    Warning = 4,
    Notice = 5,
    Informational = 6,
    Debug = 7,
}
