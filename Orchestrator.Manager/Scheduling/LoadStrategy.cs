namespace Orchestrator.Manager.Scheduling;

// Ranks by load (agents relative to max_agents), then health, then the salted shuffle; one strategy, two directions:
//   least_loaded: the emptiest container first, so agents spread;
//   bin_pack:     the busiest container that still has room first, keeping others free for large deployments.
public sealed class LoadStrategy : IPlacementStrategy
{
    public static readonly LoadStrategy LeastLoaded = new(PlacementStrategies.LeastLoaded, fullestFirst: false);
    public static readonly LoadStrategy BinPack = new(PlacementStrategies.BinPack, fullestFirst: true);

    private readonly bool _fullestFirst;

    private LoadStrategy(string name, bool fullestFirst)
    {
        Name = name;
        _fullestFirst = fullestFirst;
    }

    public string Name { get; }

    public IReadOnlyList<PlacementCandidate> Rank(IReadOnlyList<PlacementCandidate> candidates, long sequence)
    {
        var rooms = candidates.Where(c => c.HasRoom).ToList();
        rooms.Sort((a, b) => a.ContainerId == b.ContainerId ? 0 : Before(a, b, sequence) ? -1 : 1);
        return rooms;
    }

    public PlacementCandidate? Best(IReadOnlyList<PlacementCandidate> candidates, long sequence)
    {
        PlacementCandidate? best = null;
        foreach (var c in candidates)
        {
            if (c.HasRoom && (best is null || Before(c, best, sequence))) best = c;
        }
        return best;
    }

    // Load in the strategy's direction, then healthier, then the salted shuffle (PlacementCandidate.TieBefore).
    private bool Before(PlacementCandidate a, PlacementCandidate b, long salt) =>
        a.Load != b.Load ? (_fullestFirst ? a.Load > b.Load : a.Load < b.Load)
        : a.HealthScore != b.HealthScore ? a.HealthScore > b.HealthScore
        : PlacementCandidate.TieBefore(a, b, salt);
}
