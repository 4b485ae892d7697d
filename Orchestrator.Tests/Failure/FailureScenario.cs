using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Failure;

public sealed record PlacedAgent(string AgentId, string ContainerId, OrchestratorNode Host);

// Steps the failure tests share, on top of ProcessCluster.
public static class FailureScenario
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // Deploys `replicas` trading agents with the policy (least_loaded spreads them one per node) and waits
    // until each runs on its node and the manager shows it running.
    public static async Task<IReadOnlyList<PlacedAgent>> DeployRunningAsync(this ProcessCluster cluster, string policy, int replicas)
    {
        var response = await cluster.Api.DeployAsync("trading_agent", replicas, policy);
        var names = (await cluster.Api.ContainersAsync()).ToDictionary(c => (string)c["container_id"]!, c => (string)c["container_name"]!);
        var placed = response["agents"]!.AsArray().Select(a => new PlacedAgent((string)a!["agent_id"]!, (string)a["container_id"]!,
            cluster.Orchestrator(names[(string)a["container_id"]!]))).ToList();
        foreach (var agent in placed)
        {
            await cluster.WaitAsync(async () => (await agent.Host.RunningAgentIdsAsync()).Contains(agent.AgentId), Deadline,
                $"{agent.AgentId} to run on {agent.Host.Name}");
            await cluster.WaitAsync(async () => await cluster.StateAsync(agent.AgentId) == "running", Deadline,
                $"the manager to show {agent.AgentId} running");
        }
        return placed;
    }

    public static async Task<string?> StateAsync(this ProcessCluster cluster, string agentId) =>
        (string?)(await cluster.Api.AgentAsync(agentId))["state"];

    public static async Task<string?> ContainerStatusAsync(this ProcessCluster cluster, OrchestratorNode node) =>
        (string?)(await cluster.Api.ContainerByNameAsync(node.ContainerName))["status"];

    // The node (other than `except`) whose local API shows the agent running; waits for one.
    public static async Task<OrchestratorNode> WaitRunningElsewhereAsync(this ProcessCluster cluster, string agentId, OrchestratorNode except, TimeSpan timeout)
    {
        return await cluster.PollAsync(async () =>
        {
            foreach (var node in cluster.Orchestrators.Where(o => o != except && o.IsRunning))
                if ((await node.RunningAgentIdsAsync()).Contains(agentId)) return node;
            return null;
        }, timeout, $"{agentId} to run on an orchestrator other than {except.Name}");
    }

    public static async Task<JsonObject> LocalAgentAsync(this OrchestratorNode node, string agentId) =>
        await node.AgentAsync(agentId) ?? throw new InvalidOperationException($"{agentId} is not on {node.Name}");

    public static Stopwatch Started() => Stopwatch.StartNew();
}
