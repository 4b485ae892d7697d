using System.Diagnostics;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Failure;

public sealed record DeployedAgent(string AgentId, string ContainerId, OrchestratorNode Host);

// Steps the failure tests share, on top of ProcessCluster.
public static class FailureScenario
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // Deploys `replicas` trading agents with the policy (least_loaded spreads them one per node) and waits
    // until each runs on its node and the manager shows it running.
    public static async Task<IReadOnlyList<DeployedAgent>> DeployRunningAsync(this ProcessCluster cluster, string policy, int replicas)
    {
        var response = await cluster.Api.DeployAsync(DeployRequests.Trading(replicas, policy));
        var names = (await cluster.Api.ListAllContainersAsync()).ToDictionary(c => c.ContainerId, c => c.ContainerName);
        var placed = response.Agents.Select(a => new DeployedAgent(a.AgentId, a.ContainerId, cluster.Orchestrator(names[a.ContainerId]))).ToList();
        foreach (var agent in placed)
        {
            await cluster.WaitAsync(async () => (await agent.Host.RunningAgentIdsAsync()).Contains(agent.AgentId), Deadline,
                $"{agent.AgentId} to run on {agent.Host.Name}");
            await cluster.WaitAsync(async () => await cluster.StateAsync(agent.AgentId) == AgentStates.Running, Deadline,
                $"the manager to show {agent.AgentId} running");
        }
        return placed;
    }

    public static async Task<string?> StateAsync(this ProcessCluster cluster, string agentId) =>
        (await cluster.Api.GetAgentAsync(agentId)).State;

    public static async Task<string?> ContainerStatusAsync(this ProcessCluster cluster, OrchestratorNode node) =>
        (await cluster.ContainerAsync(node)).Status;

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

    public static async Task<NodeAgent> LocalAgentAsync(this OrchestratorNode node, string agentId) =>
        await node.AgentAsync(agentId) ?? throw new InvalidOperationException($"{agentId} is not on {node.Name}");

    public static Stopwatch Started() => Stopwatch.StartNew();
}
