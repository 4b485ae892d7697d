using Orchestrator.Manager.Containers;

namespace Orchestrator.Manager.Tenants;

public static class TenantTotals
{
    // The same buckets ContainerTotals keeps for the whole fleet, counted from these containers.
    public static IReadOnlyDictionary<string, ContainerTotals.Bucket> Of(IReadOnlyList<ContainerView> containers) =>
        ContainerStatus.All.ToDictionary(s => s, s =>
        {
            var inStatus = containers.Where(c => c.Status == s).ToList();
            return new ContainerTotals.Bucket(inStatus.Count, inStatus.Sum(c => (long)c.MaxAgents), inStatus.Sum(c => (long)c.ActiveAgents));
        });
}
