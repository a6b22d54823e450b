namespace Harrier.Engine.Enrichment;

/// <summary>The fields of <c>/proc/PID/stat</c> the process table uses.</summary>
/// <param name="Comm">Field 2, without the parentheses.</param>
/// <param name="Ppid">Field 4.</param>
/// <param name="Pgrp">Field 5.</param>
/// <param name="Session">Field 6.</param>
/// <param name="TtyNr">Field 7: the controlling terminal's device number, 0 when none.</param>
/// <param name="StartTicks">Field 22: start time after boot in clock ticks (USER_HZ).</param>
internal readonly record struct ProcStat(string Comm, int Ppid, int Pgrp, int Session, int TtyNr, ulong StartTicks);
