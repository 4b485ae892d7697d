using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Deployments;

// POST /api/v1/cluster/agents/{id}/restart (issue 25): the same spec at the next epoch, on the same container, so
// its node stops the agent and starts it again with its data. force rides on the assignment for the node's update
// lock (the node's side is the locks work); the audit entry says whether it was forced.
public sealed class AgentRestarter(AgentStore agents, AuditLog audit, EventLog events)
{
    private const int Attempts = 5;

    // Null when the caller sees no such agent.
    public async Task<RestartAgentResponse?> RestartAsync(string id, bool force, CallerScope caller)
    {
        var action = force ? AuditActions.AgentRestartForced : AuditActions.AgentRestart;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await agents.GetAsync(id) is not { } agent || !caller.Sees(agent.OrchestratorId) || agent.Assignment is not { } current) break;
            var next = current with { Epoch = agent.Epoch + 1, Force = force ? true : null };
            // Raced a reschedule or an update (another epoch): read it again and restart from there.
            if (!await agents.RespecAsync(agent, next)) continue;
            await audit.RecordAsync(caller, action, id, AuditOutcomes.Success, agent.OrchestratorId);
            events.AgentRestarted(id, agent.ContainerId, agent.OrchestratorId, next.Epoch, force);
            return new RestartAgentResponse(id, next.Epoch, force);
        }
        await audit.RecordAsync(caller, action, id, AuditOutcomes.NotFound, caller.DefaultTenant);
        return null;
    }
}
