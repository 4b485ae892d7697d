namespace Orchestrator.Manager.Scheduling;

// Rotates through containers in a stable order. The sequence comes from a Redis counter,
// so every manager replica shares one rotation.
public sealed class RoundRobinStrategy : IPlacementStrategy
{
    public string Name => PlacementStrategies.RoundRobin;

    public IReadOnlyList<PlacementCandidate> Rank(IReadOnlyList<PlacementCandidate> candidates, long sequence)
    {
        var ordered = candidates.Where(c => c.HasRoom).OrderBy(c => c.ContainerId, StringComparer.Ordinal).ToList();
        if (ordered.Count == 0) return ordered;
        var start = (int)(Math.Abs(sequence) % ordered.Count);
        return ordered.Skip(start).Concat(ordered.Take(start)).ToList();
    }

}
