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

    /// <summary>
    /// The same programs, maps and ABI as <see cref="AbiConstants.ObjectResource"/>, built with <c>-DHARRIER_COMPAT</c>:
    /// untyped kernel pointers are read with CO-RE <c>bpf_probe_read_kernel</c> instead of the <c>bpf_rdonly_cast</c>
    /// kfunc (Linux 6.2+). Loaded only when the kernel lacks that kfunc (Debian 12's 6.1).
    /// </summary>
    public const string CompatObjectResource = "probes/harrier-compat.bpf.o";

    /// <summary>True when the last successful <see cref="Load"/> fell back to <see cref="CompatObjectResource"/>.</summary>
    public bool UsedCompatObject { get; private set; }

    /// <summary>
    /// Loads and attaches the probes: the fast object first; when libbpf reports that the kernel has no
    /// <c>bpf_rdonly_cast</c> kfunc, the compat object (slower field reads, same events).
    /// </summary>
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

        try
        {
            UsedCompatObject = false;
            return LoadObject(elf, options);
        }
        catch (ProbeStartupException ex) when (ex.InnerException is BpfException bex && LacksRdonlyCast(bex)
            && ReadEmbeddedObject(CompatObjectResource) is { } compat)
        {
            LogCompatFallback(_logger, Environment.OSVersion.Version.ToString());
            var probes = LoadObject(compat, options);
            UsedCompatObject = true;
            return probes;
        }
    }

    private LoadedProbes LoadObject(byte[] elf, ProbeOptions options)
    {
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

    /// <summary>True when libbpf failed because the kernel has no <c>bpf_rdonly_cast</c> kfunc (Linux before 6.2).</summary>
    internal static bool LacksRdonlyCast(BpfException ex) =>
        ex.Log.Any(l => l.Contains("bpf_rdonly_cast", StringComparison.Ordinal) && l.Contains("not found", StringComparison.Ordinal));

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
        if (LacksRdonlyCast(ex))
        {
            // Only reached when the compat object (which needs no kfunc) is missing from this build.
            hint = $"this kernel ({Environment.OSVersion.Version}) lacks the bpf_rdonly_cast kfunc (Linux 6.2+) and the engine was "
                + $"built without its compat object ({CompatObjectResource}): rebuild with `make -C probes && make build`";
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

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "kernel {Kernel} has no bpf_rdonly_cast kfunc: loading the compat probe object")]
    private static partial void LogCompatFallback(ILogger logger, string kernel);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "probes loaded: ring buffer {RingBytes} bytes, {Programs} programs attached")]
    private static partial void LogLoaded(ILogger logger, int ringBytes, int programs);
}
