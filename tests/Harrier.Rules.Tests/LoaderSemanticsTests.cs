using Harrier.Events;
using Harrier.Rules.Diagnostics;

namespace Harrier.Rules.Tests;

/// <summary>Lists, macros, exceptions, append and override, as Falco defines them.</summary>
public class LoaderSemanticsTests
{
    private static readonly ProcessInfo Parent = Ev.Proc("nginx", pid: 50);

    internal static RuleLoadResult Load(params string[] yamls)
        => RuleLoader.LoadTexts(yamls.Select((y, i) => ($"f{i}.yaml", y)).ToList(), new RuleLoadOptions { WarnUnused = false });

    internal static string Rule(string condition, string name = "r", string extra = "")
        => $"- rule: {name}\n  desc: d\n  condition: {condition}\n  output: o %proc.name\n  priority: WARNING\n{extra}";

    private static CompiledRule Single(RuleLoadResult r)
    {
        Assert.True(r.Success, r.Format());
        return Assert.Single(r.RuleSet!.Rules);
    }

    private static bool Matches(RuleLoadResult r, HarrierEvent e) => Single(r).Predicate(e);

    private static HarrierEvent Exec(string name, params string[] args) => Ev.Exec(Ev.Proc(name, args: args, parent: Parent));

    [Fact]
    public void List_SubstitutedIntoInValues()
    {
        var r = Load("- list: shells\n  items: [bash, sh]\n" + Rule("evt.type = execve and proc.name in (shells)"));
        Assert.True(Matches(r, Exec("bash")));
        Assert.False(Matches(r, Exec("zsh")));
    }

    [Fact]
    public void List_MixedWithLiterals_AllItemsUsed()
    {
        var r = Load("- list: shells\n  items: [bash]\n" + Rule("evt.type = execve and proc.name in (zsh, shells, fish)"));
        Assert.True(Matches(r, Exec("bash")));
        Assert.True(Matches(r, Exec("fish")));
    }

    [Fact]
    public void List_WithModifier_Expanded()
    {
        var r = Load("- list: prefixes\n  items: [/tmp/, /dev/shm/]\n" + Rule("evt.type = execve and proc.exepath startswith anyof (prefixes)"));
        Assert.True(Matches(r, Ev.Exec(Ev.Proc("x", "/dev/shm/x"))));
        Assert.False(Matches(r, Ev.Exec(Ev.Proc("x", "/usr/bin/x"))));
    }

    [Fact]
    public void List_InList_ExpandedOneLevel()
    {
        var r = Load("- list: a\n  items: [bash]\n- list: b\n  items: [a, zsh]\n" + Rule("evt.type = execve and proc.name in (b)"));
        Assert.True(Matches(r, Exec("bash")));
        Assert.True(Matches(r, Exec("zsh")));
        Assert.False(Matches(r, Exec("a")));
    }

    [Fact]
    public void List_UndefinedName_StaysLiteral()
    {
        var r = Load(Rule("evt.type = execve and proc.name in (not_a_list)"));
        Assert.True(Matches(r, Exec("not_a_list")));
        Assert.False(Matches(r, Exec("bash")));
    }

    [Fact]
    public void List_QuotedItems_AreQuotedStrings()
    {
        var r = Load("- list: odd\n  items: ['\"(systemd)\"', '\"a b\"']\n" + Rule("evt.type = execve and proc.name in (odd)"));
        Assert.True(Matches(r, Exec("(systemd)")));
        Assert.True(Matches(r, Exec("a b")));
    }

    [Fact]
    public void List_BareListNameAfterIn_IsExpanded()
    {
        var r = Load("- list: shells\n  items: [bash]\n" + Rule("evt.type = execve and proc.name in shells"));
        Assert.True(Matches(r, Exec("bash")));
    }

    [Fact]
    public void List_Append_AddsItems()
    {
        var r = Load("- list: shells\n  items: [bash]\n", "- list: shells\n  items: [zsh]\n  append: true\n" + Rule("evt.type = execve and proc.name in (shells)"));
        Assert.True(Matches(r, Exec("zsh")));
        Assert.True(Matches(r, Exec("bash")));
    }

    [Fact]
    public void List_OverrideReplace_ReplacesItems()
    {
        var r = Load("- list: shells\n  items: [bash]\n" + Rule("evt.type = execve and proc.name in (shells)"), "- list: shells\n  items: [zsh]\n  override:\n    items: replace\n");
        Assert.True(Matches(r, Exec("zsh")));
        Assert.False(Matches(r, Exec("bash")));
    }

    [Fact]
    public void Macro_SplicedAsTree_KeepsPrecedence()
    {
        // Spliced as a tree: 'not m' negates the whole macro even though its text has an 'or'.
        var r = Load("- macro: m\n  condition: proc.name = bash or proc.name = sh\n" + Rule("evt.type = execve and not m"));
        Assert.False(Matches(r, Exec("bash")));
        Assert.False(Matches(r, Exec("sh")));
        Assert.True(Matches(r, Exec("zsh")));
    }

    [Fact]
    public void Macro_Appended_IsPlainTextConcatenation()
    {
        // "proc.name = bash" + " or proc.name = zsh": no parentheses are added, so inside the macro 'or' stays at top level.
        var r = Load(
            "- macro: m\n  condition: proc.name = bash\n- macro: m\n  condition: or proc.name = zsh\n  append: true\n" + Rule("evt.type = execve and m"));
        Assert.True(Matches(r, Exec("zsh")));
        Assert.True(Matches(r, Exec("bash")));
    }

    [Fact]
    public void Rule_AppendedCondition_WithoutParentheses_ChangesPrecedence()
    {
        // Falco appends text as-is: "evt.type = execve and proc.name = bash or proc.name = zsh".
        var r = Load(Rule("evt.type = execve and proc.name = bash"), "- rule: r\n  condition: or proc.name = zsh\n  append: true\n");
        var rule = Single(r);
        Assert.Equal("evt.type = execve and proc.name = bash or proc.name = zsh", rule.Condition);
        Assert.True(rule.Predicate(Exec("zsh")));
        Assert.True(rule.Predicate(Ev.Open(Ev.Proc("zsh"), "/x")), "the appended 'or' is outside the evt.type check");
    }

    [Fact]
    public void Macro_SeesOnlyEarlierMacros_RuleSeesAll()
    {
        var bad = Load("- macro: a\n  condition: b\n- macro: b\n  condition: proc.name = bash\n" + Rule("evt.type = execve and a"));
        var err = Assert.Single(bad.Errors, e => e.ItemName == "a");
        Assert.Equal(DiagnosticCodes.UndefinedMacro, err.Code);
        Assert.Contains("used before it is defined", err.Message, StringComparison.Ordinal);

        var ok = Load(Rule("evt.type = execve and b"), "- macro: b\n  condition: proc.name = bash\n");
        Assert.True(Matches(ok, Exec("bash")));
    }

    [Fact]
    public void Macro_SelfReference_ReportedAsLoop()
    {
        var r = Load("- macro: a\n  condition: proc.name = x\n- macro: a\n  condition: or a\n  append: true\n" + Rule("evt.type = execve and a"));
        Assert.Contains(r.Errors, e => e.Code == DiagnosticCodes.ReferenceLoop && e.Message.Contains("a -> a", StringComparison.Ordinal));
    }

    [Fact]
    public void Macro_Undefined_ReportedWithRuleAndCaret()
    {
        var r = Load(Rule("evt.type = execve and nope"));
        var err = Assert.Single(r.Errors);
        Assert.Equal(DiagnosticCodes.UndefinedMacro, err.Code);
        Assert.Equal("f0.yaml", err.Location.File);
        Assert.Equal(3, err.Location.Line);
        Assert.Contains("^", err.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public void Macro_Override_AppendAndReplace()
    {
        var baseYaml = "- macro: m\n  condition: proc.name = bash\n" + Rule("evt.type = execve and (m)");
        var app = Load(baseYaml, "- macro: m\n  condition: or proc.name = zsh\n  override:\n    condition: append\n");
        Assert.True(Matches(app, Exec("zsh")));
        Assert.True(Matches(app, Exec("bash")));
        var rep = Load(baseYaml, "- macro: m\n  condition: proc.name = zsh\n  override:\n    condition: replace\n");
        Assert.True(Matches(rep, Exec("zsh")));
        Assert.False(Matches(rep, Exec("bash")));
    }

    [Fact]
    public void Exceptions_SingleField_ExpandedExactlyAsFalco()
    {
        var r = Load(Rule("evt.type = execve", extra: "  exceptions:\n    - name: known\n      fields: proc.name\n      values: [bash, \"my tool\"]\n"));
        var rule = Single(r);
        Assert.Equal("(evt.type = execve) and not (proc.name in (bash, \"my tool\"))", rule.Condition);
        Assert.False(rule.Predicate(Exec("bash")));
        Assert.False(rule.Predicate(Exec("my tool")));
        Assert.True(rule.Predicate(Exec("zsh")));
    }

    [Fact]
    public void Exceptions_MultiField_ExpandedExactlyAsFalco()
    {
        var r = Load(Rule("evt.type = execve", extra:
            "  exceptions:\n    - name: pairs\n      fields: [proc.name, proc.pname]\n      comps: [=, in]\n      values:\n        - [bash, [nginx, httpd]]\n        - [zsh, sshd]\n"));
        var rule = Single(r);
        Assert.Equal("(evt.type = execve) and not (( proc.name = bash and proc.pname in (nginx, httpd)) or ( proc.name = zsh and proc.pname in (sshd)))", rule.Condition);
        Assert.False(rule.Predicate(Exec("bash")));
        Assert.True(rule.Predicate(Exec("zsh")));
    }

    [Fact]
    public void Exceptions_DefaultCompsAreEqualsForTuples()
    {
        var r = Load(Rule("evt.type = execve", extra: "  exceptions:\n    - name: e\n      fields: [proc.name, proc.pname]\n      values:\n        - [bash, nginx]\n"));
        Assert.Equal("(evt.type = execve) and not (( proc.name = bash and proc.pname = nginx))", Single(r).Condition);
    }

    [Fact]
    public void Exceptions_NoValues_LeaveConditionParenthesized()
    {
        var r = Load(Rule("evt.type = execve", extra: "  exceptions:\n    - name: e\n      fields: [proc.name]\n"));
        Assert.Equal("(evt.type = execve)", Single(r).Condition);
    }

    [Fact]
    public void Exceptions_AppendedValues_MergeByName()
    {
        var r = Load(
            Rule("evt.type = execve", extra: "  exceptions:\n    - name: e\n      fields: proc.name\n      values: [bash]\n"),
            "- rule: r\n  exceptions:\n    - name: e\n      values: [zsh]\n  append: true\n");
        Assert.Equal("(evt.type = execve) and not (proc.name in (bash, zsh))", Single(r).Condition);
    }

    [Theory]
    [InlineData("  exceptions:\n    - fields: proc.name\n", "has no 'name'")]
    [InlineData("  exceptions:\n    - name: e\n      fields: [proc.name, proc.pname]\n      comps: [=]\n", "2 fields but 1 comps")]
    [InlineData("  exceptions:\n    - name: e\n      fields: proc.name\n      comps: like\n", "not a comparison operator")]
    [InlineData("  exceptions:\n    - name: e\n      fields: [proc.name, proc.pname]\n      values:\n        - [a]\n", "tuple of 2 items")]
    [InlineData("  exceptions:\n    - name: e\n      fields: proc.nam\n      values: [a]\n", "unknown field 'proc.nam'")]
    public void Exceptions_Invalid_Reported(string extra, string fragment)
    {
        var r = Load(Rule("evt.type = execve", extra: extra));
        Assert.False(r.Success);
        Assert.Contains(r.Errors, e => e.Message.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void Rule_Override_ReplacesAndAppendsKeys()
    {
        var r = Load(Rule("evt.type = execve and proc.name = bash", extra: "  tags: [a]\n"),
            "- rule: r\n  condition: or proc.name = zsh\n  priority: CRITICAL\n  tags: [b]\n  output: more\n  override:\n    condition: append\n    priority: replace\n    tags: append\n    output: append\n");
        var rule = Single(r);
        Assert.Equal(Priority.Critical, rule.Priority);
        Assert.Equal(new[] { "a", "b" }, rule.Tags);
        Assert.Equal("o %proc.name more", rule.Output);
        Assert.Equal("evt.type = execve and proc.name = bash or proc.name = zsh", rule.Condition);
    }

    [Theory]
    [InlineData("- rule: r\n  priority: ERROR\n  override:\n    priority: append\n", "cannot be overridden with 'append'")]
    [InlineData("- rule: r\n  priority: ERROR\n  desc: x\n  override:\n    priority: replace\n", "key 'desc' is set but not listed in 'override'")]
    [InlineData("- rule: r\n  override:\n    priority: replace\n", "names key 'priority' but the item does not set it")]
    [InlineData("- rule: r\n  priority: ERROR\n  override:\n    priority: merge\n", "must be 'append' or 'replace'")]
    [InlineData("- rule: nope\n  priority: ERROR\n  override:\n    priority: replace\n", "no rule by that name was defined before")]
    [InlineData("- rule: r\n  condition: x\n  append: true\n  override:\n    condition: append\n", "both 'append' and 'override'")]
    [InlineData("- rule: nope\n  condition: and x\n  append: true\n", "no rule by that name was defined before")]
    [InlineData("- list: nope\n  items: [a]\n  append: true\n", "no list by that name")]
    [InlineData("- macro: nope\n  condition: a\n  append: true\n", "no macro by that name")]
    public void Override_Invalid_Reported(string second, string fragment)
    {
        var r = Load(Rule("evt.type = execve"), second);
        Assert.False(r.Success);
        Assert.Contains(r.Errors, e => e.Message.Contains(fragment, StringComparison.Ordinal) && e.Location.File == "f1.yaml");
    }

    [Fact]
    public void Rule_EnabledOnly_TogglesExistingRule()
    {
        var r = Load(Rule("evt.type = execve"), "- rule: r\n  enabled: false\n");
        Assert.True(r.Success, r.Format());
        Assert.Empty(r.RuleSet!.Rules);
        Assert.Single(r.Disabled);
    }

    [Fact]
    public void Rule_Redefined_ReplacesInPlace()
    {
        var r = Load(Rule("evt.type = execve", "a") + Rule("evt.type = execve", "b"), Rule("evt.type = openat", "a"));
        Assert.Equal(new[] { "a", "b" }, r.RuleSet!.Rules.Select(x => x.Name));
        Assert.Equal("evt.type = openat", r.RuleSet.Rules[0].Condition);
    }

    [Theory]
    [InlineData("emergency", Priority.Emergency)]
    [InlineData("ALERT", Priority.Alert)]
    [InlineData("Critical", Priority.Critical)]
    [InlineData("error", Priority.Error)]
    [InlineData("WARNING", Priority.Warning)]
    [InlineData("notice", Priority.Notice)]
    [InlineData("informational", Priority.Informational)]
    [InlineData("INFO", Priority.Informational)]
    [InlineData("debug", Priority.Debug)]
    public void Priority_NamesCaseInsensitive(string text, Priority expected)
    {
        var r = Load($"- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: {text}\n");
        Assert.Equal(expected, Single(r).Priority);
    }

    [Theory]
    [InlineData("alert", RuleAction.Alert)]
    [InlineData("deny", RuleAction.Deny)]
    [InlineData("KILL", RuleAction.Kill)]
    public void Action_Parsed(string text, RuleAction expected)
        => Assert.Equal(expected, Single(Load(Rule("evt.type = execve", extra: $"  action: {text}\n"))).Action);

    [Fact]
    public void EventTypes_InferredAsFalco()
    {
        var r = Load(
            Rule("evt.type in (execve, openat) and proc.name = x", "a")
            + Rule("evt.type = execve or evt.type = connect", "b")
            + Rule("not evt.type = execve and evt.type in (execve, openat)", "c")
            + Rule("evt.type != execve and evt.type in (execve, openat)", "d")
            + Rule("not (evt.type != connect)", "e")
            + Rule("proc.name = x", "f", "  warn_evttypes: false\n")
            + Rule("evt.type = pipe", "g"));
        Assert.True(r.Success, r.Format());
        IReadOnlyCollection<EventType> T(string n) => r.RuleSet!.Rules.Single(x => x.Name == n).EventTypes;
        Assert.Equal(new[] { EventType.Execve, EventType.Openat }, T("a"));
        Assert.Equal(new[] { EventType.Execve, EventType.Connect }, T("b"));
        Assert.Equal(new[] { EventType.Openat }, T("c"));
        Assert.Equal(new[] { EventType.Openat }, T("d"));
        Assert.Equal(new[] { EventType.Connect }, T("e"));
        Assert.Equal(EventTypes.All.Count(), T("f").Count);
        Assert.Empty(T("g"));
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.NeverMatches && w.ItemName == "g");
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.UnknownEventType && w.Message.Contains("'pipe'", StringComparison.Ordinal));
        Assert.DoesNotContain(r.Warnings, w => w.Code == DiagnosticCodes.NoEventTypes && w.ItemName == "f");
        Assert.Contains(EventType.Connect, r.RuleSet!.InterestingTypes);
    }

    [Fact]
    public void NoEvtType_WarnsAsFalco()
    {
        var r = Load(Rule("proc.name = bash"));
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.NoEventTypes);
    }

    [Fact]
    public void UnsupportedField_RuleSkippedWithReason()
    {
        var r = Load(Rule("evt.type = execve and k8s.pod.labels = x", "k") + Rule("evt.type = execve", "ok"));
        Assert.True(r.Success, r.Format());
        var s = Assert.Single(r.Skipped);
        Assert.Equal("k", s.Name);
        Assert.Contains("k8s.pod.labels", s.Reason, StringComparison.Ordinal);
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.UnsupportedField && w.Message.Contains("'k'", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownField_ErrorUnlessSkipIfUnknownFilter()
    {
        Assert.Contains(Load(Rule("evt.type = execve and foo.bar = 1")).Errors, e => e.Code == DiagnosticCodes.UnknownField);
        var r = Load(Rule("evt.type = execve and foo.bar = 1", extra: "  skip-if-unknown-filter: true\n"));
        Assert.True(r.Success, r.Format());
        Assert.Single(r.Skipped);
    }

    [Fact]
    public void Container_Fields_PartiallyKnown_ResolveToMissing()
    {
        var r = Load(Rule("evt.type = execve and not container.image.repository in (a) and container.id = host"));
        Assert.True(Matches(r, Exec("bash")));
    }

    [Fact]
    public void RequiredVersions_CheckedAsFalco()
    {
        Assert.True(Load("- required_engine_version: 0.57.0\n- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n").Success);
        Assert.True(Load("- required_engine_version: 8\n").Success);
        Assert.Contains(Load("- required_engine_version: 99.0.0\n").Errors, e => e.Code == DiagnosticCodes.EngineVersion);
        Assert.Contains(Load("- required_engine_version: banana\n").Errors, e => e.Code == DiagnosticCodes.EngineVersion);
        Assert.Contains(Load("- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n").Errors, e => e.Code == DiagnosticCodes.PluginRequirement);
    }

    [Fact]
    public void Disabled_AndBelowMinimumPriority_NotCompiledIntoSet()
    {
        var r = RuleLoader.LoadText(Rule("evt.type = execve", "a", "  enabled: false\n") + Rule("evt.type = execve", "b"), options: new RuleLoadOptions { MinimumPriority = Priority.Error });
        Assert.Empty(r.RuleSet!.Rules);
        Assert.Equal(2, r.Disabled.Count);
    }

    [Fact]
    public void Unused_MacrosAndLists_Warned()
    {
        var r = RuleLoader.LoadText("- list: l\n  items: [a]\n- macro: m\n  condition: proc.name = a\n" + Rule("evt.type = execve"));
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.UnusedList && w.ItemName == "l");
        Assert.Contains(r.Warnings, w => w.Code == DiagnosticCodes.UnusedMacro && w.ItemName == "m");
    }
}
