using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Harrier.Host.Tests;

/// <summary>Log event ids are a contract (operators filter journald on them): one id, one message, across every assembly.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void LoggerMessages_AllAssemblies_EventIdsAreUnique()
    {
        var assemblies = new[]
        {
            typeof(Harrier.Host.Service.EngineSettings).Assembly,
            typeof(Harrier.Engine.Enforcement.LsmEnforcerOptions).Assembly,
            typeof(Harrier.Outputs.AlertDispatcher).Assembly,
            typeof(Harrier.Outputs.Kafka.KafkaSinks).Assembly,
            typeof(Harrier.Seccomp.Notify.SeccompDecision).Assembly,
            typeof(Harrier.Rules.RuleLoader).Assembly,
        };
        var seen = new Dictionary<int, string>();
        var clashes = new List<string>();
        foreach (var asm in assemblies.Distinct())
        {
            foreach (var type in asm.GetTypes())
            {
                foreach (var m in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (m.GetCustomAttribute<LoggerMessageAttribute>() is not { } a)
                    {
                        continue;
                    }

                    string where = $"{type.FullName}.{m.Name}";
                    if (!seen.TryAdd(a.EventId, where))
                    {
                        clashes.Add($"{a.EventId}: {seen[a.EventId]} and {where}");
                    }
                }
            }
        }

        Assert.True(seen.Count > 50, $"found only {seen.Count} logger messages");
        Assert.True(clashes.Count == 0, string.Join("\n", clashes));
    }
}
