using Orchestrator.Manager.Scheduling;

namespace Orchestrator.Manager.Tenants;

// Whether a placement plan keeps every tenant within its max_agents quota. A tenant's agents are what its
// containers hold (assigned_agents), read from the same snapshot the plan was made from. Checked before the
// atomic placement, not inside it: two deploys racing for a tenant's last slots may together pass it by a few.
public sealed class TenantQuotaCheck(TenantQuotas quotas)
{
    public Task<DeployOutcome.OverQuota?> CheckAsync(IReadOnlyList<ContainerView> snapshot, IEnumerable<string> plannedTenants) =>
        CheckAsync(snapshot.Select(c => (c.OrchestratorId(), c.AssignedAgents)), plannedTenants);

    // snapshot: each container's tenant and assigned agents (the placement planner's fleet snapshot).
    public async Task<DeployOutcome.OverQuota?> CheckAsync(IEnumerable<(string Tenant, int Assigned)> snapshot, IEnumerable<string> plannedTenants)
    {
        var adding = plannedTenants.Where(t => t.Length > 0).GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        if (adding.Count == 0) return null;
        var all = await quotas.ReadAllAsync();
        foreach (var (tenant, count) in adding)
        {
            if (!all.TryGetValue(tenant, out var quota) || quota.MaxAgents is not { } max) continue;
            var used = snapshot.Where(c => c.Tenant == tenant).Sum(c => c.Assigned);
            if (used + count > max) return new DeployOutcome.OverQuota(tenant, max, used, count);
        }
        return null;
    }
}
