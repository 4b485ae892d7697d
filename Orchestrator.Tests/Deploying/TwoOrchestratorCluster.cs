using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deploying;

// Manager, Redis and two orchestrators with room for 5 agents each: 10 in all.
public sealed class TwoOrchestratorCluster : ClusterFixture
{
    public const int Capacity = 10;

    protected override int OrchestratorCount => 2;

    protected override int MaxAgents => 5;
}
