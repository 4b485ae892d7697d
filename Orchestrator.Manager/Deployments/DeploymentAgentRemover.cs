using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Deployments;

// Removes one agent of a deployment the way DELETE /api/v1/cluster/agents/{id} does (AgentStore.RemoveAsync: off its
// container's desired set, so its node stops it and a late report of it is refused; then its hash), with the same
// agent.stopped event and tenant metrics. The rollout's own removals (canaries, and the old agents promoted canaries
// replace) are audited as that delete is, actor "rollout"; a deployment's DELETE and scale-down are audited once.
public sealed class DeploymentAgentRemover(AgentStore agents, EventLog events, TenantMetrics tenantMetrics, AuditLog audit)
{
    // False when the agent was already gone.
    public async Task<bool> RemoveAsync(AgentRecord agent, string? rolloutReason = null)
    {
        if (await agents.RemoveAsync(agent.Id) is not { } container) return false;
        events.AgentStopped(agent.Id, container, rolloutReason ?? "stopped by an operator");
        tenantMetrics.Stopped(agent.OrchestratorId);
        if (rolloutReason is not null)
            await audit.RecordAsync("rollout", "system", agent.OrchestratorId, AuditActions.Stop, agent.Id, AuditOutcomes.Success, detail: rolloutReason);
        return true;
    }
}
