using Orchestrator.Protocol;
using System.Net;

namespace Orchestrator.Tests.Failure;

// redis-server (append-only) is killed and started again on the same port and directory.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class RedisRestartTests
{
    [Fact]
    public async Task AfterARedisRestartEveryContainerAndAgentIsStillThereAndTheManagerRecoversOnItsOwn()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 2 });
        var agents = (await cluster.DeployRunningAsync("keep", 2)).Concat(await cluster.DeployRunningAsync("reschedule", 2)).ToList();
        var containersBefore = (await cluster.Api.ListAllContainersAsync()).Select(c => c.ContainerId).Order().ToList();
        var manager = cluster.Managers[0];

        cluster.Redis.Stop();
        await cluster.WaitAsync(async () => (await cluster.Http.GetAsync(manager.Url + "/health")).StatusCode == HttpStatusCode.ServiceUnavailable,
            FailureScenario.Deadline, "the manager's /health to answer 503 while Redis is down");
        await cluster.Redis.StartAsync();
        await cluster.WaitAsync(async () => (await cluster.Http.GetAsync(manager.Url + "/health")).StatusCode == HttpStatusCode.OK,
            FailureScenario.Deadline, "the manager to reconnect to Redis by itself");

        Assert.Equal(containersBefore, (await cluster.Api.ListAllContainersAsync()).Select(c => c.ContainerId).Order().ToList());
        foreach (var agent in agents)
        {
            await cluster.WaitAsync(async () => await cluster.StateAsync(agent.AgentId) == "running", FailureScenario.Deadline,
                $"{agent.AgentId} to be reported running after the Redis restart");
            var view = await cluster.Api.GetAgentAsync(agent.AgentId);
            Assert.Equal(agent.ContainerId, view.ContainerId);
            Assert.Equal(1, view.Epoch);
        }
        Assert.Equal(agents.Count, (await cluster.Api.ListAgentsAsync()).Count);
        Assert.False(manager.Log.Contains("Unhandled exception", StringComparison.Ordinal), manager.Log);
        Assert.False(manager.Log.Contains("failed unexpectedly", StringComparison.Ordinal), manager.Log);
        Assert.True(manager.IsRunning, manager.Log);
    }
}
