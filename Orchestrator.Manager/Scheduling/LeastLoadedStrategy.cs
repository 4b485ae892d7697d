namespace Orchestrator.Manager.Scheduling;

// Fewest agents relative to max_agents first; among equals, the healthier container.
public sealed class LeastLoadedStrategy : IPlacementStrategy
{
    public string Name => PlacementStrategies.LeastLoaded;

    public IReadOnlyList<PlacementCandidate> Rank(IReadOnlyList<PlacementCandidate> candidates, long sequence) =>
        candidates.Where(c => c.HasRoom)
            .OrderBy(c => c.Load)
            .ThenByDescending(c => c.HealthScore)
            .ThenBy(c => c.SaltedShuffle(sequence))
            .ThenBy(c => c.ContainerId, StringComparer.Ordinal)
            .ToList();

    public PlacementCandidate? Best(IReadOnlyList<PlacementCandidate> candidates, long sequence)
    {
        PlacementCandidate? best = null;
        foreach (var c in candidates)
        {
            if (c.HasRoom && (best is null || Before(c, best, sequence))) best = c;
        }
        return best;
    }

    // Rank's order: lower load, then healthier, then the salted shuffle.
    private static bool Before(PlacementCandidate a, PlacementCandidate b, long salt) =>
        a.Load != b.Load ? a.Load < b.Load
        : a.HealthScore != b.HealthScore ? a.HealthScore > b.HealthScore
        : PlacementCandidate.TieBefore(a, b, salt);
}
