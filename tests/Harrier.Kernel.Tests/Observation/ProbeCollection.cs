namespace Harrier.Kernel.Tests.Observation;

/// <summary>All observation tests share one loaded probe set (loading takes a moment, and runs serially).</summary>
[CollectionDefinition(Name)]
public sealed class ProbeCollection : ICollectionFixture<ProbeFixture>
{
    public const string Name = "kernel-probes";
}
