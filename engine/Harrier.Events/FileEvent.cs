namespace Harrier.Events;

/// <summary>open family, unlink, rename, mkdir, rmdir, chmod, chown, link, symlink, truncate.</summary>
public sealed class FileEvent : HarrierEvent
{
    public override EventClass Class => EventClass.File;

    /// <summary>The resolved absolute path (<c>fd.name</c>): from the opened file when the call succeeded,
    /// else the passed path joined to the cwd or dirfd path and normalised.</summary>
    public string? Path { get; set; }

    /// <summary>The path exactly as passed (<c>fd.nameraw</c>, <c>evt.arg.name</c>).</summary>
    public string? RawPath { get; set; }

    /// <summary>rename/link/symlink: the second path, resolved (<c>evt.arg.newpath</c> / target).</summary>
    public string? NewPath { get; set; }

    /// <summary>rename/link/symlink: the second path as passed.</summary>
    public string? NewRawPath { get; set; }

    /// <summary>The dirfd argument of *at calls (-100 = AT_FDCWD), or the fd of f* calls.</summary>
    public int Dirfd { get; set; }

    /// <summary>open flags (O_*), unlinkat/renameat2/fchmodat/linkat flags.</summary>
    public long Flags { get; set; }

    /// <summary>open/creat/mkdir/chmod mode.</summary>
    public uint Mode { get; set; }

    /// <summary>The fd returned by open family calls, -1 otherwise.</summary>
    public int Fd { get; set; } = -1;

    /// <summary>chown family: the new owner and group (-1 = unchanged).</summary>
    public int OwnerUid { get; set; } = -1;

    public int OwnerGid { get; set; } = -1;

    /// <summary>truncate/ftruncate: the new length.</summary>
    public long Length { get; set; }

    public override void Reset()
    {
        base.Reset();
        Path = RawPath = NewPath = NewRawPath = null;
        Dirfd = 0;
        Flags = 0;
        Mode = 0;
        Fd = -1;
        OwnerUid = OwnerGid = -1;
        Length = 0;
    }
}
