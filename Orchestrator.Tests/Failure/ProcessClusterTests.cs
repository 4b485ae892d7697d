
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

        var deployed = await cluster.Api.DeployAsync("trading_agent");
        var agentId = (string)deployed["agents"]![0]!["agent_id"]!;
        await cluster.WaitAsync(async () => (string?)(await cluster.Api.AgentAsync(agentId))["state"] == "running", Deadline,
            "the agent to be reported running");
        var host = cluster.Orchestrator((string)(await cluster.Api.ContainersAsync())
            .Single(c => (string?)c["container_id"] == (string?)deployed["agents"]![0]!["container_id"])["container_name"]!);
        Assert.Contains(agentId, await host.RunningAgentIdsAsync());

        host.CutOffFromManager();
        await cluster.WaitAsync(async () => (string?)(await cluster.Api.ContainerByNameAsync(host.ContainerName))["status"] != "healthy",
            Deadline, "the cut-off container to stop being healthy");
        Assert.True(host.IsRunning);
        Assert.NotEmpty(await host.AgentsAsync());
        host.ReconnectToManager();
        await cluster.WaitAsync(async () => (string?)(await cluster.Api.ContainerByNameAsync(host.ContainerName))["status"] == "healthy",
            Deadline, "the container to be healthy again after the link is restored");

        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
    }
}
