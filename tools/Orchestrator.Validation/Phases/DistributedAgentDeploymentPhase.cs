namespace Orchestrator.Validation.Phases;

// "Agents deployed to orchestrator clusters": a trading_agent pinned to each orchestrator through the
// manager lands on that orchestrator (and no other), runs there as its local API shows, and the manager
// sees the state the orchestrator reported. Removed afterwards unless --keep-agents.
public sealed class DistributedAgentDeploymentPhase : IValidationPhase
{
    public string Name => "distributed_agent_deployment";

    public async Task RunAsync(PhaseContext context, PhaseReport report, CancellationToken ct)
    {
        var identities = await context.IdentifyOrchestratorsAsync(ct);
        var deployed = new List<PinnedAgents.Deployed>();
        try
        {
            await PinnedAgents.DeployAsync(context, report, identities, [], deployed, ct);
            foreach (var agent in deployed)
            {
                var local = await PinnedAgents.WaitRunningAsync(context, agent, ct);
                foreach (var other in context.Orchestrators.Where(o => o != agent.Local))
                    report.Check(await other.AgentAsync(agent.AgentId, ct) is null,
                        $"agent {agent.AgentId} for {agent.Orchestrator.Target.Label} also shows on {other.Target.Label}'s local API");
                var managerView = await context.WaitForAsync($"the manager to show {agent.AgentId} as reported running", async token =>
                {
                    var view = await context.Manager.AgentAsync(agent.AgentId, token);
                    return (view?.ReportedState == "running" ? view : null, view is null ? "unknown to the manager" : $"reported_state {view.ReportedState}");
                }, ct);
                report.Note($"{agent.Orchestrator.Target.Label}: {agent.AgentId} ({local.AgentType}) running on its local API since {local.StartedAt:O}; " +
                    $"manager shows it on {managerView.ContainerId}, orchestrator_id {managerView.OrchestratorId}");
            }
        }
        finally
        {
            await PinnedAgents.RemoveAsync(context, report, deployed);
        }
    }
}
