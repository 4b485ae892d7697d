using Orchestrator.Protocol;
using Orchestrator.Validation.Http;

namespace Orchestrator.Validation.Phases;

// After a manager outage: the orchestrator registers again as the same container, the restarted manager
// counts its heartbeats, and shows its agent running as reported, with no restart counted.
public static class ManagerReconnection
{
    public static async Task CheckAsync(PhaseContext context, PhaseReport report, PinnedAgents.Deployed agent, NodeAgent before,
        Dictionary<string, long> heard, CancellationToken ct)
    {
        var label = agent.Orchestrator.Target.Label;
        var containerId = agent.Orchestrator.ContainerId;
        var health = await context.WaitForAsync($"{label}: /health to show it registered again", async token =>
        {
            var h = await agent.Local.HealthAsync(token);
            return (h.Status == "healthy" ? h : null, OrchestratorIdentity.Describe(h));
        }, ct);
        report.Check(OrchestratorIdentity.RegisteredContainerId(health) == containerId,
            $"{label}: came back as {OrchestratorIdentity.RegisteredContainerId(health)}, not as {containerId}");
        await context.WaitForAsync($"{label}: heartbeats counted by the restarted manager", async token =>
        {
            var now = (await context.Manager.CommunicationAsync(token)).FirstOrDefault(c => c.ContainerId == containerId);
            return (now is { Status: "healthy" } && now.HeartbeatsReceived > heard.GetValueOrDefault(containerId) ? now : null,
                now is null ? "not in the stats" : $"{now.Status}, {now.HeartbeatsReceived} heartbeats");
        }, ct);
        var view = await context.WaitForAsync($"{label}: the manager to show {agent.AgentId} reported running again", async token =>
        {
            var v = await context.Manager.AgentAsync(agent.AgentId, token);
            return (v?.ReportedState == "running" ? v : null, v is null ? "unknown to the manager" : $"state {v.State}, reported {v.ReportedState}");
        }, ct);
        report.Check(view.Restarts == before.Restarts, $"{label}: the manager counts {view.Restarts} restarts of {agent.AgentId}, expected {before.Restarts}");
        report.Note($"{label}: reconnected as {containerId}; manager shows {agent.AgentId} {view.State}");
    }
}
