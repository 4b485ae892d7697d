using Orchestrator.Protocol;

namespace Orchestrator.Tests.Failure;

// The harness itself: real processes come up, an agent deployed through the front door runs on one
// orchestrator, and a cut link turns that container unhealthy while the node keeps answering locally.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class ProcessClusterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DeployedAgentRunsOnExactlyOneOrchestratorAndACutLinkLooksLikeASilentCluster()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 2 });
        await using var sampler = RunningAgentSampler.Start(cluster);

        var placed = (await cluster.Api.DeployAsync(DeployRequests.Trading())).Agents.Single();
        var agentId = placed.AgentId;
        await cluster.WaitAsync(async () => (await cluster.Api.GetAgentAsync(agentId)).State == AgentStates.Running, Deadline,
            "the agent to be reported running");
        var host = cluster.Orchestrator((await cluster.Api.ListAllContainersAsync()).Single(c => c.ContainerId == placed.ContainerId).ContainerName);
        Assert.Contains(agentId, await host.RunningAgentIdsAsync());

        host.CutOffFromManager();
        await cluster.WaitAsync(async () => (await cluster.ContainerAsync(host)).Status != ContainerStatus.Healthy,
            Deadline, "the cut-off container to stop being healthy");
        Assert.True(host.IsRunning);
        Assert.NotEmpty(await host.AgentsAsync());
        host.ReconnectToManager();
        await cluster.WaitAsync(async () => (await cluster.ContainerAsync(host)).Status == ContainerStatus.Healthy,
            Deadline, "the container to be healthy again after the link is restored");

        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
    }

    // Deploy, run, report and stop on both engines the manager supports: one redis-server, and a Redis Cluster of
    // three masters where the replicas' containers (and the agents' own keys) sit in different slots.
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task ReplicasDeployedAcrossOrchestratorsRunAndStopWhenRemoved(int redisClusterMasters)
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 2, RedisClusterMasters = redisClusterMasters });
        await using var sampler = RunningAgentSampler.Start(cluster);

        var placed = (await cluster.Api.DeployAsync(DeployRequests.Trading(replicas: 4))).Agents;
        Assert.Equal(2, placed.Select(a => a.ContainerId).Distinct().Count());
        foreach (var agent in placed)
            await cluster.WaitAsync(async () => (await cluster.Api.GetAgentAsync(agent.AgentId)).State == AgentStates.Running, Deadline,
                $"{agent.AgentId} to be reported running");
        Assert.Equal(4, (await cluster.Api.ListAgentsAsync()).Agents.Count);
        Assert.Equal(4, (await cluster.Api.ListAllContainersAsync()).Sum(c => c.AssignedAgents));

        foreach (var agent in placed) await cluster.Api.DeleteAgentAsync(agent.AgentId);
        await cluster.WaitAsync(async () =>
        {
            foreach (var node in cluster.Orchestrators) if ((await node.RunningAgentIdsAsync()).Count > 0) return false;
            return true;
        }, Deadline, "every orchestrator to stop its agents");
        Assert.Empty((await cluster.Api.ListAgentsAsync()).Agents);
        Assert.All(await cluster.Api.ListAllContainersAsync(), c => Assert.Equal(0, c.AssignedAgents));

        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
    }
}
