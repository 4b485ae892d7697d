using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;

namespace Orchestrator.Manager.Tenants;

public sealed class TenantUsage(ContainerStore containers, TenantQuotas quotas, OperatorStore operators)
{
    // Every known tenant: one with a container, a quota or an operator. A tenant's agents are what its containers
    // hold (assigned_agents), the figure its max_agents quota is checked against.
    public async Task<Dictionary<string, TenantView>> ReadAsync()
    {
        var byTenant = (await containers.ListAsync()).Where(c => c.OrchestratorId().Length > 0).GroupBy(c => c.OrchestratorId())
            .ToDictionary(g => g.Key, g => (Containers: g.Count(), Agents: g.Sum(c => c.AssignedAgents)), StringComparer.Ordinal);
        var limits = await quotas.ReadAllAsync();
        var named = (await operators.ListAsync()).SelectMany(o => o.Tenants);
        return byTenant.Keys.Concat(limits.Keys).Concat(named).Distinct(StringComparer.Ordinal).ToDictionary(t => t, t =>
        {
            var (count, agents) = byTenant.GetValueOrDefault(t);
            var quota = limits.GetValueOrDefault(t) ?? TenantQuota.None;
            return new TenantView(t, count, agents, quota.MaxContainers, quota.MaxAgents, quota.RequireImageDigest);
        }, StringComparer.Ordinal);
    }
}
