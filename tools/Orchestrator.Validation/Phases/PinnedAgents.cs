using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Validation.Http;

namespace Orchestrator.Validation.Phases;

// trading_agents deployed through the manager and pinned with agent_config.orchestrator_id, as in the
// seed's deploy example, then watched on the orchestrator's own local API.
public static class PinnedAgents
{
    public static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);

    public sealed record Deployed(OrchestratorIdentity Orchestrator, OrchestratorClient Local, string AgentId);

    // Deploys one agent per orchestrator into `deployed` (so a failure half-way still cleans up what was
    // placed); records a failure for any agent the manager places elsewhere.
    public static async Task DeployAsync(PhaseContext context, PhaseReport report, IReadOnlyList<OrchestratorIdentity> identities,
        JsonObject extraConfig, List<Deployed> deployed, CancellationToken ct)
    {
        foreach (var identity in identities)
        {
            var orchestratorId = identity.Registration?.OrchestratorId() is { Length: > 0 } id ? id
                : throw new ValidationFailure($"{identity.Target.Label}: not in the manager's list, so no orchestrator_id to pin an agent to");
            var config = new JsonObject { ["strategy"] = "distributed_momentum", ["orchestrator_id"] = Pin(orchestratorId) };
            foreach (var (key, value) in extraConfig) config[key] = value?.DeepClone();
            var response = await context.Manager.DeployAsync(new DeployRequest("trading_agent", JsonElement.Parse(config.ToJsonString()), "least_loaded", OnClusterLoss: ClusterLossPolicies.Keep), ct);
            var placed = response.Agents.FirstOrDefault()
                ?? throw new ValidationFailure($"{identity.Target.Label}: deploy {response.DeploymentId} placed no agent");
            deployed.Add(new(identity, context.Orchestrators[identity.Target.Number - 1], placed.AgentId));
            report.Check(placed.ContainerId == identity.ContainerId,
                $"{identity.Target.Label}: agent pinned to orchestrator_id {orchestratorId} was placed on {placed.ContainerId}, not on {identity.ContainerId}");
        }
    }

    public static Task<NodeAgent> WaitRunningAsync(PhaseContext context, Deployed agent, CancellationToken ct) =>
        context.WaitForAsync($"{agent.Orchestrator.Target.Label}: agent {agent.AgentId} running on its local API", async token =>
        {
            var local = await agent.Local.AgentAsync(agent.AgentId, token);
            return (local?.State == "running" ? local : null,
                local is null ? "not on the local API" : $"state {local.State}{(local.LastError is { } e ? ", error " + e : "")}");
        }, ct);

    // Deletes through the manager and waits until each orchestrator has stopped its agent.
    public static async Task RemoveAsync(PhaseContext context, PhaseReport report, IReadOnlyList<Deployed> agents)
    {
        if (agents.Count == 0) return;
        if (context.Settings.KeepAgents)
        {
            report.Note($"--keep-agents: left {string.Join(", ", agents.Select(a => a.AgentId))} running");
            return;
        }
        using var cleanup = new CancellationTokenSource(CleanupTimeout);
        try
        {
            foreach (var agent in agents) await context.Manager.DeleteAgentAsync(agent.AgentId, cleanup.Token);
            foreach (var agent in agents)
                await context.WaitForAsync($"{agent.Orchestrator.Target.Label}: agent {agent.AgentId} stopped after DELETE", async token =>
                {
                    var local = await agent.Local.AgentAsync(agent.AgentId, token);
                    return (local is null || local.State == "stopped" ? agent : null, $"state {local?.State}");
                }, cleanup.Token);
            report.Note($"cleaned up: deleted {agents.Count} agent(s) and saw each orchestrator stop its own");
        }
        catch (ValidationFailure failure)
        {
            report.Fail("cleanup: " + failure.Message);
        }
    }

    // The seed pins with a number ("orchestrator_id": 1); ids that are not numbers go as strings.
    private static JsonNode Pin(string orchestratorId) =>
        long.TryParse(orchestratorId, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(orchestratorId);
}
