namespace Orchestrator.Manager.Scheduling;

// Plans where N replicas go, one at a time, counting each earlier pick, so replicas
// spread the way the strategy intends instead of all landing on the first choice.
// Returns the container of each replica that found room (fewer than asked when capacity ran out).
public static class PlacementPlanner
{
    public static IReadOnlyList<string> Plan(
        IPlacementStrategy strategy, IReadOnlyList<PlacementCandidate> candidates, int replicas, long sequence)
    {
        // One replica (the common deploy) needs no copy; more count their picks in a copy of their own.
        var current = replicas > 1 ? candidates.ToArray() : null;
        var index = current is null ? null : IndexOf(current);
        var plan = new List<string>(replicas);
        for (var i = 0; i < replicas; i++)
        {
            if (strategy.Best((IReadOnlyList<PlacementCandidate>?)current ?? candidates, sequence + i) is not { } chosen) break;
            plan.Add(chosen.ContainerId);
            if (current is not null) current[index![chosen.ContainerId]] = chosen.WithOneMore();
        }
        return plan;
    }

    private static Dictionary<string, int> IndexOf(PlacementCandidate[] candidates)
    {
        var index = new Dictionary<string, int>(candidates.Length, StringComparer.Ordinal);
        for (var i = 0; i < candidates.Length; i++) index[candidates[i].ContainerId] = i;
        return index;
    }
}
