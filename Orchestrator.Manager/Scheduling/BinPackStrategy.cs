namespace Orchestrator.Manager.Scheduling;

// Fills the busiest container that still has room, keeping others free for large deployments.
public sealed class BinPackStrategy : IPlacementStrategy
{
    public string Name => PlacementStrategies.BinPack;

    public IReadOnlyList<PlacementCandidate> Rank(IReadOnlyList<PlacementCandidate> candidates, long sequence) =>
        candidates.Where(c => c.HasRoom)
            .OrderByDescending(c => c.Load)
            .ThenByDescending(c => c.HealthScore)
            .ThenBy(c => c.ContainerId, StringComparer.Ordinal)
            .ToList();
}
