using System.Diagnostics;
using System.Text.RegularExpressions;
using Harrier.Kernel.Tests.Observation;

namespace Harrier.Kernel.Tests.Service;

/// <summary>
/// Hot reload while an open/close storm runs (root, built program): the rules file is replaced 20 times, valid and
/// invalid versions alternating. Harrier must not crash, lose no event to the swaps (user-side loss stays 0), follow
/// the current valid set, and raise exactly one internal alert per invalid version.
/// </summary>
public sealed partial class ReloadUnderLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harrier-reload-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [KernelFact]
    public async Task RulesFileReplaced20TimesUnderStorm_FollowsValidSetAndAlertsEachInvalidOnce()
    {
        string rules = Path.Combine(_dir, "rules.yaml");
        string marker = Path.Combine(_dir, "marker");
        File.WriteAllText(marker, "x");
        File.WriteAllText(rules, Valid(0, marker));
        int port = 19765 + (Environment.ProcessId % 1000);
        using var h = new HarrierProcess(_dir, port, ["run", "-r", rules]);
        Assert.True(h.WaitMessage(m => m == "READY=1", TimeSpan.FromSeconds(60)) >= 0, h.Output);

        using var storm = Process.Start(TestPaths.Tool("storm")!, ["60000", "/dev/null"]);
        try
        {
            int invalid = 0;
            int inForce = 0;
            File.ReadAllText(marker);
            Assert.True(WaitOutput(h, Fired(0), 1, TimeSpan.FromSeconds(10)), $"generation 0 did not fire\n{h.Output}");
            for (int gen = 1; gen <= 20; gen++)
            {
                bool valid = gen % 2 == 0;
                int mark = h.Messages.Count;
                File.WriteAllText(rules + ".tmp", valid ? Valid(gen, marker) : "- rule: broken\n  condition: (\n");
                File.Move(rules + ".tmp", rules, overwrite: true);
                Assert.True(h.WaitMessage(m => m == "READY=1", TimeSpan.FromSeconds(20), mark) >= 0, $"generation {gen}: no reload\n{h.Output}");
                int before = Regex.Count(h.Output, Fired(inForce));
                File.ReadAllText(marker);
                if (!valid)
                {
                    // The previous valid set keeps running: its rule fires again.
                    invalid++;
                    Assert.True(WaitOutput(h, Fired(inForce), before + 1, TimeSpan.FromSeconds(10)), $"generation {gen} (invalid): generation {inForce} stopped firing\n{h.Output}");
                    continue;
                }

                // The new set is in force: its rule fires for the marker, the replaced generation's does not.
                Assert.True(WaitOutput(h, Fired(gen), 1, TimeSpan.FromSeconds(10)), $"generation {gen} did not fire\n{h.Output}");
                Assert.Equal(before, Regex.Count(h.Output, Fired(inForce)));
                inForce = gen;
            }

            Assert.False(h.Process.HasExited, "harrier exited during the reloads\n" + h.Output);
            Assert.Equal(invalid, Regex.Count(h.Output, "Rule set reload failed, the previous rule set stays in force"));

            using var http = new HttpClient();
            string metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            Assert.Matches(UserLostZero(), metrics);
            Assert.Contains($"harrier_rules_reload_failures_total {invalid}", metrics);
            Assert.Contains("harrier_rules_reloads_total 10", metrics);
        }
        finally
        {
            storm.Kill();
            storm.WaitForExit();
        }
    }

    /// <summary>The alert line of a generation's rule ("generation 1 fired" is no prefix of "generation 12 fired").</summary>
    private static string Fired(int gen) => $"generation {gen} fired";

    private static bool WaitOutput(HarrierProcess h, string text, int count, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (Regex.Count(h.Output, Regex.Escape(text)) >= count)
            {
                return true;
            }

            Thread.Sleep(50); // polling another process's output, not a correctness sleep
        }

        return false;
    }

    private static string Valid(int gen, string marker) => $"""
        - rule: Reload generation {gen}
          desc: test
          condition: evt.type in (open, openat) and fd.name = {marker}
          output: "generation {gen} fired (%fd.name)"
          priority: NOTICE

        """;

    [GeneratedRegex("harrier_events_lost_total\\{side=\"user\",class=\"all\",type=\"all\"\\} 0\\b")]
    private static partial Regex UserLostZero();
}
