using Harrier.Events;

namespace Harrier.Outputs.Spool;

/// <summary>One alert read back from the spool with its sequence number (the commit key).</summary>
internal readonly record struct SpoolRecord(long Seq, Alert Alert);
