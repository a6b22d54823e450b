using System.Text.Json;
using System.Text.Json.Nodes;
using Harrier.Engine.Enforcement;
using Harrier.Engine.Loading;

namespace Harrier.Host.Commands;

/// <summary>
/// <c>harrier info [--json]</c>: kernel release, BTF, which BPF program types load here (probed by loading tiny
/// programs), active LSMs, and per verdict the strongest enforcement mechanism this kernel offers, with the
/// <c>lsm=</c> hint when BPF LSM is compiled in but inactive. JSON keys are stable: <c>kernel</c>, <c>btf</c>,
/// <c>program_types</c>, <c>lsm</c>, <c>bpf_lsm</c>, <c>seccomp_user_notif</c>, <c>enforcement</c>,
/// <c>enforcement_paths</c>, <c>lsm_hint</c>.
/// </summary>
internal static class InfoCommand
{
    public static int Run(string[] args, TextWriter o, TextWriter err)
    {
        var a = ArgReader.Parse(args, ["--json"], []);
        if (a.Errors.Count > 0 || a.Positional.Count > 0)
        {
            err.WriteLine("usage: harrier info [--json]");
            return 2;
        }

        var features = FeatureProbe.Run();
        // /sys/kernel/security/lsm can list bpf while the kernel still refuses BPF LSM programs (lockdown, policy):
        // the load probe decides.
        var paths = EnforcementPaths.Probe(lsmLoadable: features.Supports("lsm"));
        if (a.Has("--json"))
        {
            var node = JsonNode.Parse(features.ToJson())!.AsObject();
            var best = new JsonObject();
            foreach (var (verdict, mechanism) in paths.Best)
            {
                best[Snake(verdict.ToString())] = Snake(mechanism.ToString());
            }

            node["enforcement_paths"] = best;
            node["bpf_lsm_compiled_in"] = paths.BpfLsmCompiledIn;
            node["cgroup_v2"] = paths.CgroupV2;
            node["lsm_hint"] = paths.LsmHint;
            o.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        o.Write(features.ToText());
        o.WriteLine("strongest mechanism per verdict:");
        foreach (var (verdict, mechanism) in paths.Best)
        {
            o.WriteLine($"  {Snake(verdict.ToString()),-14} {Snake(mechanism.ToString())}");
        }

        if (paths.LsmHint is not null)
        {
            o.WriteLine($"hint: {paths.LsmHint}");
        }

        return 0;
    }

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
