using System.Text.Json;
using Harrier.Events;
using Harrier.Rules.Enforcement;

namespace Harrier.Rules.Tests.Enforcement;

/// <summary>
/// The planner turns kernel-expressible deny/kill conditions into exactly-equivalent terms and refuses everything
/// else with the offending field named (a kernel deny broader than the rule would be a bug). Table-driven.
/// </summary>
public class EnforcementPlannerTests
{
    private const string Macros = """
        - macro: open_syscall
          condition: evt.type in (open, openat, openat2)
        - list: shells
          items: [/bin/bash, /bin/sh]
        - list: c2_ports
          items: [4444, 5555]
        """;

    private static EnforcementPlan PlanOf(string condition, string action = "deny") => PlanWithRule(condition, action).Plan;

    private static (EnforcementPlan Plan, CompiledRule Rule) PlanWithRule(string condition, string action = "deny")
    {
        var yaml = Macros + $"""

            - rule: R
              desc: d
              condition: {condition}
              output: o
              priority: WARNING
              action: {action}
            """;
        var load = RuleLoader.LoadText(yaml, "plan.yaml", new RuleLoadOptions { BuildEngine = false, WarnUnused = false });
        Assert.True(load.Success, load.Format());
        var rule = Assert.Single(load.RuleSet!.Rules);
        return (EnforcementPlanner.Plan(rule), rule);
    }

    private static string Render(EnforcementPlan p) => string.Join(" | ", p.Terms.Select(t =>
        $"{t.Kind}:{t.PolicyValue}:{t.Operations}{(t.ContainerId is null ? string.Empty : "@" + t.ContainerId)}"));

    public static TheoryData<string, string> Expressible => new()
    {
        { "open_syscall and fd.name = /etc/shadow", "FilePath:/etc/shadow:Open" },
        { "evt.type in (open, openat, openat2, creat) and fd.name in (/etc/shadow, /etc/gshadow)", "FilePath:/etc/gshadow:Open | FilePath:/etc/shadow:Open" },
        { "open_syscall and fd.name startswith /etc/ssh/", "FilePrefix:/etc/ssh:Open" },
        { "open_syscall and fd.name pmatch (/etc/ssh, /root/)", "FilePrefix:/etc/ssh:Open | FilePrefix:/root:Open" },
        { "evt.type in (open, openat, openat2, unlink, unlinkat) and fd.name = /etc/passwd", "FilePath:/etc/passwd:Open, Unlink" },
        { "evt.type = execve and proc.exepath = /usr/bin/nc", "ExecPath:/usr/bin/nc:Exec" },
        { "evt.type in (execve, execveat) and evt.dir = < and proc.exepath in (shells)", "ExecPath:/bin/bash:Exec | ExecPath:/bin/sh:Exec" },
        { "evt.type = execve and proc.exepath startswith /tmp/", "FilePrefix:/tmp:Exec" },
        { "evt.type = connect and fd.sip = 1.2.3.4 and fd.sport = 4444", "ConnectCidr:1.2.3.4/32:4444:Connect" },
        { "evt.type = connect and fd.snet = \"10.0.0.0/8\"", "ConnectCidr:10.0.0.0/8:Connect" },
        { "evt.type = connect and fd.rip = ::1 and fd.rport = 443", "ConnectCidr:[::1/128]:443:Connect" },
        { "evt.type = connect and fd.sport in (c2_ports)", "ConnectCidr:0.0.0.0/0:4444:Connect | ConnectCidr:0.0.0.0/0:5555:Connect | ConnectCidr:[::/0]:4444:Connect | ConnectCidr:[::/0]:5555:Connect" },
        { "evt.type = connect and fd.snet = \"10.0.0.0/8\" and fd.sip = 10.1.2.3", "ConnectCidr:10.1.2.3/32:Connect" },
        { "evt.type = bind and fd.sport = 8080", "BindCidr:0.0.0.0/0:8080:Bind | BindCidr:[::/0]:8080:Bind" },
        { "evt.type = bind and fd.lip = 127.0.0.1 and fd.lport = 22", "BindCidr:127.0.0.1/32:22:Bind" },
        { "evt.type = execve and user.uid = 1000", "Uid:1000:Exec" },
        { "evt.type = connect and user.uid in (1000, 1001)", "Uid:1000:Connect | Uid:1001:Connect" },
        { "evt.type = execve and container.id = 3ad8f2c1b0e4", "Cgroup:3ad8f2c1b0e4:Exec" },
        { "evt.type = connect and container.id = 3ad8f2c1b0e4 and fd.sip = 1.2.3.4", "ConnectCidr:1.2.3.4/32:Connect@3ad8f2c1b0e4" },
        { "(evt.type = execve and proc.exepath = /usr/bin/nc) or (evt.type = execve and proc.exepath = /usr/bin/ncat)", "ExecPath:/usr/bin/nc:Exec | ExecPath:/usr/bin/ncat:Exec" },
        { "evt.type = connect and (fd.sip = 1.2.3.4 or fd.sip = 5.6.7.8) and fd.sport = 22", "ConnectCidr:1.2.3.4/32:22:Connect | ConnectCidr:5.6.7.8/32:22:Connect" },
        { "open_syscall and fd.name = /etc/shadow and fd.name = /etc/shadow", "FilePath:/etc/shadow:Open" },
        { "(open_syscall and fd.name = /etc/shadow) or (evt.type in (unlink, unlinkat) and fd.name = /etc/shadow)", "FilePath:/etc/shadow:Open, Unlink" },
    };

    [Theory]
    [MemberData(nameof(Expressible))]
    public void Plan_ExpressibleShape_GivesEquivalentTerms(string condition, string expected)
    {
        var plan = PlanOf(condition);
        Assert.True(plan.KernelExpressible, plan.Reason);
        Assert.Null(plan.Field);
        Assert.Equal(expected, Render(plan));
    }

    [Theory]
    [InlineData("open_syscall and fd.name = /etc/shadow and proc.pname = sshd", "proc.pname")]
    [InlineData("open_syscall and fd.name = /etc/shadow and not proc.name in (passwd, chage)", "proc.name")]
    [InlineData("open_syscall and fd.name startswith /etc/ssh", "fd.name")]
    [InlineData("open_syscall and fd.name glob /etc/*.conf", "fd.name")]
    [InlineData("open_syscall and fd.name contains shadow", "fd.name")]
    [InlineData("open_syscall and fd.name = etc/shadow", "fd.name")]
    [InlineData("open_syscall and fd.name = /etc/../etc/shadow", "fd.name")]
    [InlineData("open_syscall and fd.directory = /etc", "fd.directory")]
    [InlineData("open_syscall and evt.is_open_write = true and fd.name = /etc/shadow", "evt.is_open_write")]
    [InlineData("open_syscall and user.uid = 1000 and fd.name = /etc/shadow", "user.uid")]
    [InlineData("open_syscall and container.id = 3ad8f2c1b0e4 and fd.name = /etc/shadow", "container.id")]
    [InlineData("evt.type = connect and container.id = host", "container.id")]
    [InlineData("evt.type = connect and fd.sip = 1.2.3.4 and fd.l4proto = tcp", "fd.l4proto")]
    [InlineData("evt.type = connect and fd.cip = 10.0.0.1", "fd.cip")]
    [InlineData("evt.type = connect and fd.lport = 5000", "fd.lport")]
    [InlineData("evt.type = connect and fd.sport > 1024", "fd.sport")]
    [InlineData("evt.type = connect and fd.net = \"10.0.0.0/8\"", "fd.net")]
    [InlineData("evt.type = connect and user.uid != 0", "user.uid")]
    [InlineData("evt.type = chmod and fd.name = /etc/shadow", "evt.type")]
    [InlineData("evt.type in (execve, openat) and proc.exepath = /usr/bin/nc", "evt.type")]
    [InlineData("evt.type = openat and proc.exepath = /usr/bin/nc", "proc.exepath")]
    [InlineData("evt.type = connect", "evt.type")]
    [InlineData("evt.type = execve and proc.exepath = /usr/bin/nc and tolower(proc.name) = nc", null)]
    public void Plan_BroaderThanRule_IsRefusedWithField(string condition, string? field)
    {
        var plan = PlanOf(condition);
        Assert.False(plan.KernelExpressible);
        Assert.Empty(plan.Terms);
        Assert.False(string.IsNullOrWhiteSpace(plan.Reason));
        Assert.Equal(field, plan.Field);
        if (field is not null)
        {
            Assert.Contains(field, plan.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Plan_AlertRule_IsNotPlanned()
    {
        var plan = PlanOf("evt.type = execve and proc.exepath = /usr/bin/nc", "alert");
        Assert.False(plan.KernelExpressible);
        Assert.Contains("not deny or kill", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_KillRule_KeepsActionAndTerms()
    {
        var plan = PlanOf("evt.type = execve and proc.exepath = /usr/bin/nc", "kill");
        Assert.Equal(RuleAction.Kill, plan.Action);
        Assert.Equal("ExecPath:/usr/bin/nc:Exec", Render(plan));
    }

    [Fact]
    public void Plan_ContradictoryCondition_NeverMatches()
    {
        var plan = PlanOf("evt.type = execve and proc.exepath = /usr/bin/nc and proc.exepath = /usr/bin/ncat");
        Assert.False(plan.KernelExpressible);
        Assert.Contains("never matches", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_PartialSyscallFamily_IsNotedNotHidden()
    {
        var plan = PlanOf("evt.type = execve and proc.exepath = /usr/bin/nc");
        Assert.Contains(plan.Notes, n => n.Contains("execveat", StringComparison.Ordinal));
        var full = PlanOf("evt.type in (execve, execveat) and proc.exepath = /usr/bin/nc");
        Assert.DoesNotContain(full.Notes, n => n.Contains("execveat", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_HugeDisjunction_IsRefusedNotExpanded()
    {
        var ports = string.Join(", ", Enumerable.Range(1000, 300));
        var plan = PlanOf($"evt.type = connect and fd.sport in ({ports})");
        Assert.False(plan.KernelExpressible);
        Assert.Contains("more than", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_HugeCrossProduct_IsRefusedWithoutBlowingUp()
    {
        var alts = string.Join(" and ", Enumerable.Range(0, 20).Select(i => $"(fd.sip = 10.0.0.{i} or fd.sip = 10.0.1.{i})"));
        var plan = PlanOf($"evt.type = connect and {alts}");
        Assert.False(plan.KernelExpressible);
        Assert.Contains("more than", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Term_Describe_NamesHookAndObject()
    {
        var plan = PlanOf("open_syscall and fd.name = /etc/shadow");
        Assert.Equal("file_open (path /etc/shadow)", plan.Terms[0].ToString());
        var net = PlanOf("evt.type = connect and fd.sip = 1.2.3.4 and fd.sport = 4444");
        Assert.Equal("socket_connect (1.2.3.4/32 port 4444)", net.Terms[0].ToString());
    }

    [Fact]
    public void Validate_DenyRules_PrintEnforcementLinesAndJsonWithoutChangingExitCode()
    {
        var f = Path.Combine(Path.GetTempPath(), $"harrier-enf-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(f, """
            - rule: No shadow
              desc: d
              condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow
              output: o
              priority: WARNING
              action: deny
            - rule: No shadow for sshd
              desc: d
              condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow and proc.pname = sshd
              output: o
              priority: WARNING
              action: deny
            - rule: No c2
              desc: d
              condition: evt.type = connect and fd.sip = 1.2.3.4 and fd.sport = 4444
              output: o
              priority: WARNING
              action: kill
            - rule: Just alert
              desc: d
              condition: evt.type = execve
              output: o
              priority: WARNING
            """);
        try
        {
            var o = new StringWriter();
            Assert.Equal(0, RulesCommands.Validate([f], o));
            var text = o.ToString();
            Assert.Contains("4 rule(s) compiled", text, StringComparison.Ordinal);
            Assert.Contains("enforcement: No shadow -> lsm file_open (path /etc/shadow)", text, StringComparison.Ordinal);
            Assert.Contains($"enforcement: No shadow for sshd -> user space only: proc.pname cannot be evaluated in the kernel ({f}:", text, StringComparison.Ordinal);
            Assert.Contains("enforcement: No c2 -> lsm socket_connect (1.2.3.4/32 port 4444)", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Just alert ->", text, StringComparison.Ordinal);
            Assert.DoesNotContain("without BPF LSM", text, StringComparison.Ordinal); // kill: cgroup programs cannot kill

            var j = new StringWriter();
            Assert.Equal(0, RulesCommands.Validate([f, "--json"], j));
            using var doc = JsonDocument.Parse(j.ToString());
            Assert.True(doc.RootElement.GetProperty("success").GetBoolean());
            var arr = doc.RootElement.GetProperty("enforcement");
            Assert.Equal(3, arr.GetArrayLength());
            Assert.Equal("lsm", arr[0].GetProperty("mechanism").GetString());
            Assert.Equal("user-space", arr[1].GetProperty("mechanism").GetString());
            Assert.Equal("proc.pname", arr[1].GetProperty("field").GetString());
            Assert.False(arr[1].GetProperty("in_kernel").GetBoolean());
            Assert.Equal("kill", arr[2].GetProperty("action").GetString());
        }
        finally
        {
            File.Delete(f);
        }
    }

    /// <summary>
    /// Soundness ("never broader"): for every term, operations the kernel would refuse (each syscall of the rule's
    /// types that the term's hook covers, on the term's object, by any process) are matched by the rule itself.
    /// </summary>
    [Theory]
    [MemberData(nameof(Expressible))]
    public void Plan_EveryOperationTheKernelRefuses_IsMatchedByTheRule(string condition, string expected)
    {
        var (plan, rule) = PlanWithRule(condition);
        Assert.False(string.IsNullOrEmpty(expected));
        int samples = 0;
        foreach (var term in plan.Terms)
        {
            foreach (var e in Samples(term, rule.EventTypes))
            {
                samples++;
                Assert.True(rule.Predicate(e), $"the kernel would refuse {EventTypes.Name(e.Type)} on {term.Describe()} but '{condition}' does not match it");
            }
        }

        Assert.True(samples >= plan.Terms.Count, "every term produced at least one sample");
    }

    private static IEnumerable<HarrierEvent> Samples(KernelPolicyTerm term, IReadOnlyCollection<EventType> types)
    {
        var proc = Ev.Proc("anyproc", "/opt/any/anyproc", uid: term.Kind == KernelTermKind.Uid ? uint.Parse(term.Value, System.Globalization.CultureInfo.InvariantCulture) : 4242);
        if (term.ContainerId is not null || term.Kind == KernelTermKind.Cgroup)
        {
            proc.ContainerId = term.ContainerId ?? term.Value;
        }

        string? file = term.Kind switch
        {
            KernelTermKind.FilePath or KernelTermKind.ExecPath => term.Value,
            KernelTermKind.FilePrefix => (term.Value == "/" ? string.Empty : term.Value) + "/deep/er/file",
            _ => null,
        };
        foreach (var t in types)
        {
            if ((term.Operations & KernelOperations.Exec) != 0 && t is EventType.Execve or EventType.Execveat)
            {
                var p = Ev.Proc("anyproc", file ?? "/opt/any/anyproc", uid: proc.Uid);
                p.ContainerId = proc.ContainerId;
                var e = Ev.Exec(p);
                e.Type = t;
                yield return e;
            }
            else if ((term.Operations & KernelOperations.Open) != 0 && t is EventType.Open or EventType.Openat or EventType.Openat2 or EventType.Creat)
            {
                yield return Ev.Open(proc, file ?? "/opt/any/file", type: t);
            }
            else if ((term.Operations & KernelOperations.Unlink) != 0 && t is EventType.Unlink or EventType.Unlinkat or EventType.Rmdir)
            {
                var e = Ev.Unlink(proc, file ?? "/opt/any/file");
                e.Type = t;
                yield return e;
            }
            else if ((term.Operations & (KernelOperations.Connect | KernelOperations.Bind)) != 0 && t is EventType.Connect or EventType.Bind)
            {
                string ip = term.IsNetwork ? SampleAddress(term.Value) : "192.0.2.7";
                ushort port = term.Port != 0 ? term.Port : (ushort)31337;
                var e = Ev.Connect(proc, ip, port);
                if (t == EventType.Bind)
                {
                    e.Type = EventType.Bind;
                    (e.Local, e.Remote) = (e.Remote, default);
                }

                yield return e;
            }
        }
    }

    /// <summary>An address inside the network that is not its base address when there is room.</summary>
    private static string SampleAddress(string cidr)
    {
        var net = System.Net.IPNetwork.Parse(cidr);
        var bytes = net.BaseAddress.GetAddressBytes();
        if (net.PrefixLength < bytes.Length * 8)
        {
            bytes[^1] |= 1;
        }

        return new System.Net.IPAddress(bytes).ToString();
    }

    /// <summary>Every Falco stable rule, planned as if it were a deny rule: never throws, and every refusal says why.</summary>
    [FalcoRulesFact]
    public void Plan_FalcoStableRulesAsDeny_NeverThrowAndAlwaysExplain()
    {
        var load = RuleLoader.Load([TestPaths.FalcoRules!], new RuleLoadOptions { BuildEngine = false, WarnUnused = false });
        Assert.True(load.Success, load.Format());
        int planned = 0;
        foreach (var rule in load.RuleSet!.Rules.Concat(load.Disabled).Where(r => r.Resolved is not null))
        {
            var plan = EnforcementPlanner.Plan(rule.Name, RuleAction.Deny, rule.Resolved!, rule.EventTypes, rule.Location);
            planned++;
            if (plan.KernelExpressible)
            {
                Assert.NotEmpty(plan.Terms);
                Assert.Null(plan.Reason);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(plan.Reason), rule.Name);
                Assert.Empty(plan.Terms);
            }
        }

        Assert.True(planned >= 10, $"only {planned} Falco rules had a resolved condition");
    }
}
