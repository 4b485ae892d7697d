namespace Orchestrator.Manager.Scheduling;

// Plans where N replicas go, one at a time, counting each earlier pick, so replicas
// spread the way the strategy intends instead of all landing on the first choice.
public static class PlacementPlanner
{
    public static IReadOnlyList<IReadOnlyList<string>> Plan(
        IPlacementStrategy strategy, IReadOnlyList<PlacementCandidate> candidates, int replicas, long sequence)
    {
        var current = candidates.ToList();
        var plan = new List<IReadOnlyList<string>>(replicas);
        for (var i = 0; i < replicas; i++)
        {
            var ranked = strategy.Rank(current, sequence + i);
            if (ranked.Count == 0) break;
            plan.Add(ranked.Select(c => c.ContainerId).ToList());
            var chosen = ranked[0].ContainerId;
            current = current.Select(c => c.ContainerId == chosen ? c.WithOneMore() : c).ToList();
        }
        return plan;
    }
}
