namespace Harrier.Events;

/// <summary>Which mechanism produced an event (<c>evt.source</c> stays <c>syscall</c> for all of them, as in Falco).</summary>
public enum EventSource : byte
{
    Syscall = 0,
    Lsm = 1,
    Seccomp = 2,
    Cgroup = 3,
    Synthetic = 4,
}
