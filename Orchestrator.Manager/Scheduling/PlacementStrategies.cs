namespace Orchestrator.Manager.Scheduling;

public static class PlacementStrategies
{
    public const string LeastLoaded = "least_loaded";
    public const string RoundRobin = "round_robin";
    public const string BinPack = "bin_pack";
    public const string Spread = "spread";

    public static readonly IReadOnlyDictionary<string, IPlacementStrategy> All =
        new IPlacementStrategy[] { LoadStrategy.LeastLoaded, new RoundRobinStrategy(), LoadStrategy.BinPack, new SpreadStrategy() }
            .ToDictionary(s => s.Name, StringComparer.Ordinal);

    public static bool TryGet(string? name, out IPlacementStrategy strategy) =>
        All.TryGetValue(string.IsNullOrEmpty(name) ? LeastLoaded : name, out strategy!);
}
