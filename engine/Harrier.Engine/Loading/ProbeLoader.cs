using System.Reflection;
using Harrier.Engine.Abi;
using Harrier.Interop;
using Harrier.Interop.Bpf;
using Microsoft.Extensions.Logging;

namespace Harrier.Engine.Loading;

/// <summary>
/// Opens the embedded probe object, checks its ABI version, sizes the ring buffer, writes the load-time
/// configuration, loads (verifies) and attaches it. Every failure that an operator can fix becomes a
/// <see cref="ProbeStartupException"/> with a one-line message. Not thread-safe; call once per object.
/// </summary>
internal sealed partial class ProbeLoader
{
    private static readonly string[] AttachedPrograms = ["harrier_sys_exit", "harrier_sched_exec", "harrier_sched_exit"];

    private readonly ILogger _logger;

    public ProbeLoader(ILogger logger) => _logger = logger;

    /// <summary>The embedded object bytes, or null when the engine was built without <c>make -C probes</c>.</summary>
    public static byte[]? ReadEmbeddedObject(string resource = AbiConstants.ObjectResource)
    {
        using var s = typeof(ProbeLoader).Assembly.GetManifestResourceStream(resource);
        if (s is null)
        {
            return null;
        }

        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Loads and attaches the probes.</summary>
    /// <exception cref="ProbeStartupException">Missing privilege, BTF, libbpf, a verifier rejection, an ABI mismatch...</exception>
    public LoadedProbes Load(ProbeOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ProbeStartupException("invalid Probes options: " + string.Join("; ", errors));
        }

        Preflight();
        byte[] elf = ReadEmbeddedObject()
            ?? throw new ProbeStartupException($"the engine was built without its BPF object ({AbiConstants.ObjectResource}): run `make bpf` then rebuild");

        BpfObjectHandle obj;
        try
        {
            Libbpf.InstallPrintCallback();
            LibbpfLog.SetSink(OnLibbpfMessage);
            obj = Libbpf.OpenObject(elf, "harrier");
        }
        catch (DllNotFoundException ex)
        {
            throw new ProbeStartupException($"libbpf is missing ({Libbpf.Library}): install it with `apt-get install libbpf1`", ex);
        }
        catch (BpfException ex)
        {
            throw new ProbeStartupException($"the BPF object could not be opened: {ex.Message}", ex);
        }

        var links = new List<BpfLinkHandle>();
        try
        {
            nint h = obj.DangerousGetHandle();
            uint abi = Libbpf.ReadInitialValue<uint>(Libbpf.FindMap(obj, AbiConstants.AbiSection));
            if (abi != AbiConstants.Version)
            {
                throw new ProbeStartupException($"BPF object ABI version {abi} does not match the engine's {AbiConstants.Version}: rebuild with `make build`");
            }

            Libbpf.SetMaxEntries(Libbpf.FindMap(obj, AbiConstants.EventsMap), (uint)options.RingBufferBytes);
            Libbpf.WriteInitialValue(Libbpf.FindMap(obj, AbiConstants.ConfigSection), new ProbeConfig
            {
                SelfTgid = (uint)Environment.ProcessId,
                MaxArgs = (uint)options.MaxArgs,
                MaxArgBytes = (uint)options.MaxArgBytes,
                WakeupBytes = (ulong)options.WakeupThresholdBytes,
                ShedBytes = options.ShedAtPercent is > 0 and < 100 ? (ulong)((long)options.RingBufferBytes * options.ShedAtPercent / 100) : 0,
            });

            try
            {
                Libbpf.LoadObject(obj);
            }
            catch (BpfException ex)
            {
                throw LoadFailure(ex);
            }

            foreach (string name in AttachedPrograms)
            {
                nint prog = Libbpf.bpf_object__find_program_by_name(h, name);
                if (prog == 0)
                {
                    throw new ProbeStartupException($"program {name} missing from the BPF object: rebuild with `make build`");
                }

                try
                {
                    links.Add(Libbpf.Attach(prog));
                }
                catch (BpfException ex)
                {
                    throw new ProbeStartupException($"attaching {name} failed ({ex.Message}); check `harrier info` for the program types this kernel supports", ex);
                }
            }

            var probes = new LoadedProbes(
                obj,
                links,
                Libbpf.bpf_map__fd(Libbpf.FindMap(obj, AbiConstants.EventsMap)),
                Libbpf.bpf_map__fd(Libbpf.FindMap(obj, AbiConstants.InterestingMap)),
                Libbpf.bpf_map__fd(Libbpf.FindMap(obj, AbiConstants.LostMap)),
                Libbpf.bpf_map__fd(Libbpf.FindMap(obj, AbiConstants.ErrorsMap)));
            LogLoaded(_logger, options.RingBufferBytes, links.Count);
            return probes;
        }
        catch
        {
            foreach (var l in links)
            {
                l.Dispose();
            }

            obj.Dispose();
            throw;
        }
    }

    internal static ProbeStartupException LoadFailure(BpfException ex)
    {
        string hint = ex.Errno switch
        {
            1 => "permission denied (EPERM): run as root or grant CAP_BPF and CAP_PERFMON",
            13 => "the verifier rejected a program (EACCES); its last lines follow",
            7 => "a program is too large for the verifier (E2BIG)",
            12 => "out of memory creating maps (ENOMEM): lower Probes:RingBufferBytes",
            _ => $"the kernel refused the probes ({BpfException.ErrnoName(ex.Errno)})",
        };

        var log = ex.Log;
        if (log.Any(l => l.Contains("bpf_rdonly_cast", StringComparison.Ordinal) && l.Contains("not found", StringComparison.Ordinal)))
        {
            // The probes read kernel structs through the bpf_rdonly_cast kfunc (Linux 6.2+). Debian 12's own 6.1 kernel
            // lacks it; its bookworm-backports kernels (6.12) have it.
            hint = $"this kernel ({Environment.OSVersion.Version}) lacks the bpf_rdonly_cast kfunc the probes need: "
                + "run Linux 6.2 or newer (on Debian 12: apt-get install -t bookworm-backports linux-image-amd64)";
        }

        var tail = log.Skip(Math.Max(0, log.Count - BpfException.MessageLogLines));
        string msg = $"loading the BPF probes failed: {hint}";
        if (log.Count > 0)
        {
            msg += Environment.NewLine + string.Join(Environment.NewLine, tail.Select(l => "  " + l));
        }

        return new ProbeStartupException(msg, ex);
    }

    /// <summary>Fails early, with the fix, when this host cannot run the probes at all.</summary>
    private static void Preflight()
    {
        if (!Capabilities.CanLoadBpf())
        {
            throw new ProbeStartupException("harrier needs root or CAP_BPF+CAP_PERFMON to load its probes: run it with sudo or grant the capabilities");
        }

        if (!File.Exists("/sys/kernel/btf/vmlinux"))
        {
            throw new ProbeStartupException("the kernel has no BTF (/sys/kernel/btf/vmlinux): use a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }

        if (!Directory.Exists("/sys/fs/bpf") || !IsMounted("/sys/fs/bpf"))
        {
            throw new ProbeStartupException("bpffs is not mounted on /sys/fs/bpf: run `mount -t bpf bpf /sys/fs/bpf` (scripts/deps.sh does it)");
        }
    }

    internal static bool IsMounted(string path)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mounts"))
            {
                var parts = line.Split(' ');
                if (parts.Length > 2 && parts[1] == path)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
        }

        return false;
    }

    private void OnLibbpfMessage(LibbpfLogLevel level, string text) => LogLibbpf(_logger, level, text);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Debug, Message = "libbpf {Level}: {Text}")]
    private static partial void LogLibbpf(ILogger logger, LibbpfLogLevel level, string text);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "probes loaded: ring buffer {RingBytes} bytes, {Programs} programs attached")]
    private static partial void LogLoaded(ILogger logger, int ringBytes, int programs);
}
