namespace Harrier.Events;

/// <summary>Where a file on overlayfs (a container's root, typically) lives: Falco's <c>proc.is_exe_upper_layer</c> and
/// <c>proc.is_exe_lower_layer</c>.</summary>
public enum OverlayLayer : byte
{
    /// <summary>Not on overlayfs, or not known.</summary>
    None = 0,

    /// <summary>In the upper (writable) layer: written, or copied up, after the container started.</summary>
    Upper = 1,

    /// <summary>Only in a lower (image) layer.</summary>
    Lower = 2,
}
