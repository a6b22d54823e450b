namespace Harrier.Events;

/// <summary>The event classes: one CLR fact type each, so NRules routes an event only to rules of its class.</summary>
public enum EventClass : byte
{
    Process = 0,
    File = 1,
    Network = 2,
    Privilege = 3,
    Decision = 4,
}
