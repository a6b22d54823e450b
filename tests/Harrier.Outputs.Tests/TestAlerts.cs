using Harrier.Events;

namespace Harrier.Outputs.Tests;

/// <summary>Deterministic alerts for tests: uuid and fields derive from the index.</summary>
internal static class TestAlerts
{
    /// <summary>2026-11-25T08:00:00.123456789Z.</summary>
    public const long BaseTimeNs = 1_795_593_600_123_456_789L;

    public static Guid UuidFor(int index, int run = 0) => new(index, (short)run, 0x4861, 0x72, 0x72, 0x69, 0x65, 0x72, 0, 0, 1);

    public static Alert Make(int index, string host = "host-a", Priority priority = Priority.Warning, string rule = "Read sensitive file untrusted", int run = 0) => new()
    {
        Uuid = UuidFor(index, run),
        TimeNs = BaseTimeNs + index,
        Rule = rule,
        Priority = priority,
        Hostname = host,
        Output = $"Sensitive file opened for reading by non-trusted program (file=/etc/shadow process=cat seq={index})",
        OutputFields =
        [
            new("fd.name", "/etc/shadow"),
            new("proc.name", "cat"),
            new("proc.pid", 4242L),
            new("seq", (long)index),
            new("user.uid", 0UL),
            new("proc.is_exe_upper_layer", false),
            new("container.image.repository", null),
        ],
        Tags = ["filesystem", "mitre_credential_access"],
        Action = RuleAction.Deny,
        Enforced = "denied",
        EventId = 1000 + index,
        Process = new AlertProcess
        {
            Pid = 4242,
            Ppid = 4000,
            Name = "cat",
            ExePath = "/usr/bin/cat",
            Cmdline = "cat /etc/shadow",
            ParentName = "bash",
            Uid = 0,
            UserName = "root",
            ContainerId = "host",
            FilePath = "/etc/shadow",
            DestinationIp = "10.0.0.7",
            DestinationPort = 443,
        },
    };
}
