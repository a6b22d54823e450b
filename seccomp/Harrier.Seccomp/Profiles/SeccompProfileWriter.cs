using System.Text;

namespace Harrier.Seccomp.Profiles;

/// <summary>Writes a <see cref="SeccompProfile"/> in the YAML format <see cref="SeccompProfileLoader"/> reads (round-trips). Thread-safe.</summary>
public static class SeccompProfileWriter
{
    public static string ToYaml(SeccompProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var sb = new StringBuilder();
        sb.Append("defaultAction: ").Append(SeccompActions.Name(profile.DefaultAction)).Append('\n');
        if (profile.DefaultErrno is { } de && SeccompActions.TakesErrno(profile.DefaultAction))
        {
            sb.Append("defaultErrno: ").Append(ErrnoText(profile.DefaultAction, de)).Append('\n');
        }

        sb.Append("architectures: [").AppendJoin(", ", profile.Architectures).Append("]\n");
        if (profile.Syscalls.Count == 0)
        {
            sb.Append("syscalls: []\n");
            return sb.ToString();
        }

        sb.Append("syscalls:\n");
        foreach (var rule in profile.Syscalls)
        {
            sb.Append("  - names: [").AppendJoin(", ", rule.Names).Append("]\n");
            sb.Append("    action: ").Append(SeccompActions.Name(rule.Action)).Append('\n');
            if (rule.Errno is { } e && SeccompActions.TakesErrno(rule.Action))
            {
                sb.Append("    errno: ").Append(ErrnoText(rule.Action, e)).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static string ErrnoText(SeccompAction action, int value) =>
        action == SeccompAction.Errno ? ErrnoTable.Name(value) : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
