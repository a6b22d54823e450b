namespace Harrier.Outputs.Spool;

/// <summary>What the spool gives up when its byte bound is reached. Either way every dropped alert is counted.</summary>
public enum OverflowPolicy
{
    /// <summary>Delete the oldest segment (its undelivered alerts are counted as dropped) to make room.</summary>
    DropOldest = 0,

    /// <summary>Refuse the new alert (counted as dropped); what is already spooled is kept.</summary>
    DropNewest = 1,
}
