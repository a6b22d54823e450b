namespace Harrier.Interop.Bpf;

/// <summary>libbpf's <c>enum libbpf_print_level</c>.</summary>
internal enum LibbpfLogLevel
{
    Warn = 0,
    Info = 1,
    Debug = 2,
}
