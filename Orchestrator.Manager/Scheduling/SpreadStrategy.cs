namespace Orchestrator.Manager.Scheduling;

// Even across orchestrator_ids (customer installations): the orchestrator with the fewest agents
// first, then its least-loaded container. One customer's outage then takes the fewest replicas.
public sealed class SpreadStrategy : IPlacementStrategy
{
    public string Name => PlacementStrategies.Spread;

    public IReadOnlyList<PlacementCandidate> Rank(IReadOnlyList<PlacementCandidate> candidates, long sequence)
    {
        var perOrchestrator = candidates
            .GroupBy(c => c.OrchestratorId)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Assigned));
        return candidates.Where(c => c.HasRoom)
            .OrderBy(c => perOrchestrator[c.OrchestratorId])
            .ThenBy(c => c.Load)
            .ThenByDescending(c => c.HealthScore)
            .ThenBy(c => c.ContainerId, StringComparer.Ordinal)
            .ToList();
    }
}
