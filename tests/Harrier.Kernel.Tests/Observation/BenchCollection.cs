namespace Harrier.Kernel.Tests.Observation;

/// <summary>Tests that load the system heavily (the pipeline benchmark): run alone, not beside other collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchCollection
{
    public const string Name = "kernel-bench";
}
