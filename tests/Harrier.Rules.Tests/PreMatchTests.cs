using Harrier.Events;

namespace Harrier.Rules.Tests;

/// <summary>The pre-match stage (with its indexes) never changes what fires: same matches with it on and off.</summary>
public class PreMatchTests
{
    private static List<string> Run(RuleLoadResult load, HarrierEvent[] events)
    {
        Assert.True(load.Success, load.Format());
        var ev = load.RuleSet!.CreateEvaluator();
        var matches = new List<RuleMatch>();
        for (int i = 0; i < events.Length; i += 500)
        {
            ev.Evaluate(events.AsSpan(i, Math.Min(500, events.Length - i)), matches);
        }

        return matches.Select(m => $"{m.Rule.Name}@{m.Event.EventId}").ToList();
    }

    public static TheoryData<string> Sets => new() { "default", "generated", "falco" };

    [Theory]
    [MemberData(nameof(Sets))]
    public void PreMatch_OnAndOff_SameMatches(string which)
    {
        var events = RulesBench.Synthetic(5000);

        // Make some generated rules fire: values they index on.
        for (int i = 0; i < events.Length; i += 97)
        {
            switch (events[i])
            {
                case FileEvent f: f.Path = $"/opt/app{(i % 300) * 3}/data/x"; break;
                case ProcessEvent p when p.Process is { } pi: pi.Name = $"tool{(i % 300) * 3 + 1}"; p.Comm = pi.Name; pi.Parent!.Name = "nginx"; break;
                case NetworkEvent n: n.Remote = n.Remote with { Port = (ushort)(10000 + (i % 300) * 3 + 2) }; break;
            }
        }

        RuleLoadResult Load(bool pre)
        {
            var o = new RuleLoadOptions { PreMatch = pre, WarnUnused = false };
            return which switch
            {
                "default" => RuleLoader.Load(new[] { TestPaths.DefaultRules }, o),
                "generated" => RuleLoader.LoadText(RulesBench.GeneratedRules(900), "g.yaml", o),
                _ => TestPaths.FalcoRules is { } f ? RuleLoader.Load(new[] { f }, o) : RuleLoader.Load(new[] { TestPaths.DefaultRules }, o),
            };
        }

        var with = Run(Load(true), events);
        var without = Run(Load(false), events);
        Assert.NotEmpty(with);
        Assert.Equal(without, with);
    }
}
