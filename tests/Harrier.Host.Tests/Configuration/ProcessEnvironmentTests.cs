using Harrier.Host.Configuration;

namespace Harrier.Host.Tests.Configuration;

/// <summary>Sets a real process environment variable: runs alone, after the parallel tests, so no other test's
/// configuration load sees it.</summary>
[CollectionDefinition(nameof(ProcessEnvironmentTests), DisableParallelization = true)]
[Collection(nameof(ProcessEnvironmentTests))]
public sealed class ProcessEnvironmentTests
{
    [Fact]
    public void Build_ProcessEnvironment_IsRead()
    {
        using var dir = new TempDirectory();
        var mine = dir.Write("mine.json", """{ "Enforcement": { "Mode": "monitor" } }""");
        Environment.SetEnvironmentVariable("HARRIER__Enforcement__Mode", "enforce-from-env");
        try
        {
            var c = HarrierConfiguration.Build([], mine);
            Assert.Equal("enforce-from-env", c["Enforcement:Mode"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HARRIER__Enforcement__Mode", null);
        }
    }
}
