namespace Orchestrator.Tests.Infrastructure;

// The three-orchestrator local cluster is started once for every class in this collection.
[CollectionDefinition(Name)]
public sealed class LocalClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "local cluster";
}
