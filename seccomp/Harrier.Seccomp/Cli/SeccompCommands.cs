using Harrier.Seccomp.Filters;
using Harrier.Seccomp.Oci;
using Harrier.Seccomp.Profiles;

namespace Harrier.Seccomp.Cli;

/// <summary>
/// <c>harrier seccomp VERB ...</c>:
/// <list type="bullet">
/// <item><c>export PROFILE</c>: the YAML profile as OCI/Docker seccomp JSON on stdout;</item>
/// <item><c>import [--lenient] FILE</c>: OCI/Docker seccomp JSON as a YAML profile on stdout (strict: unsupported
/// entries are errors; lenient: they are dropped and each drop is reported on stderr);</item>
/// <item><c>check PROFILE</c>: validates and prints a one-line summary;</item>
/// <item><c>compile [--hex] PROFILE</c>: prints the BPF program as a listing (or as the hex the launcher takes in HARRIER_SECCOMP_FILTER);</item>
/// <item><c>bench [CALLS]</c>: prints what filters and notifications cost a workload (see <see cref="SeccompBench"/>).</item>
/// </list>
/// Exit codes: 0 ok, 1 invalid input, 2 usage.
/// </summary>
public static class SeccompCommands
{
    private const string UsageText = "usage: harrier seccomp export PROFILE | import [--lenient] FILE | check PROFILE | compile [--hex] PROFILE | bench [CALLS]";

    public static int Run(string[] args, TextWriter o, TextWriter err)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? err : o).WriteLine(UsageText);
            return args.Length == 0 ? 2 : 0;
        }

        string verb = args[0];
        var rest = args[1..];
        if (verb == "bench")
        {
            return SeccompBench.Run(rest, o, err);
        }

        bool lenient = false;
        if (verb == "import" && rest.Length > 0 && rest[0] == "--lenient")
        {
            lenient = true;
            rest = rest[1..];
        }

        bool hex = false;
        if (verb == "compile" && rest.Length > 0 && rest[0] == "--hex")
        {
            hex = true;
            rest = rest[1..];
        }

        if (rest.Length != 1)
        {
            err.WriteLine($"harrier seccomp: {verb} takes exactly one file");
            err.WriteLine(UsageText);
            return 2;
        }

        string file = rest[0];
        try
        {
            switch (verb)
            {
                case "export":
                    o.Write(OciSeccompConverter.Export(SeccompProfileLoader.LoadFile(file)));
                    return 0;
                case "import":
                    var result = OciSeccompConverter.Import(ReadJson(file), file, lenient);
                    foreach (var w in result.Warnings)
                    {
                        err.WriteLine($"harrier seccomp import: warning: {w}");
                    }

                    if (result.Warnings.Count > 0)
                    {
                        err.WriteLine($"harrier seccomp import: {result.Warnings.Count} entries dropped or ignored");
                    }

                    o.Write(SeccompProfileWriter.ToYaml(result.Profile));
                    return 0;
                case "check":
                    var p = SeccompProfileLoader.LoadFile(file);
                    var f = SeccompFilterCompiler.Compile(p);
                    o.WriteLine($"{file}: ok: default {SeccompActions.Name(p.DefaultAction)}, {p.Syscalls.Sum(r => r.Names.Count)} syscalls in {p.Syscalls.Count} entries, {f.Instructions.Length} BPF instructions{(f.UsesNotify ? ", uses notify" : string.Empty)}");
                    return 0;
                case "compile":
                    var compiled = SeccompFilterCompiler.Compile(SeccompProfileLoader.LoadFile(file));
                    o.WriteLine(hex ? Convert.ToHexString(compiled.ToBytes()) : compiled.Disassemble());
                    return 0;
                default:
                    err.WriteLine($"harrier seccomp: unknown verb '{verb}'");
                    err.WriteLine(UsageText);
                    return 2;
            }
        }
        catch (SeccompProfileException e)
        {
            foreach (var line in e.Errors)
            {
                err.WriteLine($"harrier seccomp {verb}: {line}");
            }

            return 1;
        }
    }

    private static string ReadJson(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                throw new SeccompProfileException($"{file}: not found");
            }

            if (info.Length > OciSeccompConverter.MaxJsonBytes)
            {
                throw new SeccompProfileException($"{file}: larger than the {OciSeccompConverter.MaxJsonBytes} byte limit");
            }

            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SeccompProfileException($"{file}: cannot read: {e.Message}");
        }
    }
}
