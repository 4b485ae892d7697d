namespace Orchestrator.Manager.Scheduling;

// Fewest agents relative to max_agents first; among equals, the healthier container.
public sealed class LeastLoadedStrategy : IPlacementStrategy
{
    public string Name => PlacementStrategies.LeastLoaded;

    public IReadOnlyList<PlacementCandidate> Rank(IReadOnlyList<PlacementCandidate> candidates, long sequence) =>
        candidates.Where(c => c.HasRoom)
            .OrderBy(c => c.Load)
            .ThenByDescending(c => c.HealthScore)
            .ThenBy(c => c.ContainerId, StringComparer.Ordinal)
            .ToList();
}
