namespace Harrier.Outputs.Spool;

/// <summary>The spool directory cannot be created, read or written.</summary>
public sealed class SpoolException(string message, Exception? inner = null) : Exception(message, inner);
