namespace Harrier.Kernel.Tests.Pipeline;

[CollectionDefinition(Name)]
public sealed class FalcoRulesCollection : ICollectionFixture<FalcoRulesFixture>
{
    public const string Name = "falco-rules-e2e";
}
