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
            .ThenBy(c => c.SaltedShuffle(sequence))
            .ThenBy(c => c.ContainerId, StringComparer.Ordinal)
            .ToList();
    }

    public PlacementCandidate? Best(IReadOnlyList<PlacementCandidate> candidates, long sequence)
    {
        var perOrchestrator = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in candidates)
            perOrchestrator[c.OrchestratorId] = perOrchestrator.GetValueOrDefault(c.OrchestratorId) + c.Assigned;
        PlacementCandidate? best = null;
        foreach (var c in candidates)
        {
            if (c.HasRoom && (best is null || Before(c, best, perOrchestrator, sequence))) best = c;
        }
        return best;
    }

    // Rank's order: the orchestrator with fewer agents, then lower load, then healthier, then the salted shuffle.
    private static bool Before(PlacementCandidate a, PlacementCandidate b, Dictionary<string, int> perOrchestrator, long salt) =>
        perOrchestrator[a.OrchestratorId] != perOrchestrator[b.OrchestratorId] ? perOrchestrator[a.OrchestratorId] < perOrchestrator[b.OrchestratorId]
        : a.Load != b.Load ? a.Load < b.Load
        : a.HealthScore != b.HealthScore ? a.HealthScore > b.HealthScore
        : PlacementCandidate.TieBefore(a, b, salt);
}
