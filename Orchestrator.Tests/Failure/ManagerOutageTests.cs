using System.Net;

namespace Orchestrator.Tests.Failure;

// The only manager is killed for 20 s and comes back on the same address and Redis.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class ManagerOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task DuringATwentySecondManagerOutageKeepAgentsRunOnWithoutRestartsRescheduleAgentsFenceAndAfterwardsEveryAgentRunsOnce()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 2 });
        var movable = await cluster.DeployRunningAsync("reschedule", 2);
        var kept = await cluster.DeployRunningAsync("keep", 2);
        var keepStarts = new Dictionary<string, string?>();
        foreach (var agent in kept) keepStarts[agent.AgentId] = (string?)(await agent.Host.LocalAgentAsync(agent.AgentId))["started_at"];
        await using var sampler = RunningAgentSampler.Start(cluster);

        var manager = cluster.Managers[0];
        manager.Kill();
        var outage = FailureScenario.Started();
        foreach (var agent in movable)
            await cluster.WaitAsync(async () => (string?)(await agent.Host.LocalAgentAsync(agent.AgentId))["state"] == "stopped",
                cluster.Options.AgentLease + TimeSpan.FromSeconds(3), $"{agent.AgentId} to fence itself on {agent.Host.Name}");

        // Through the whole outage: keep agents run, uninterrupted; the local API answers.
        while (outage.Elapsed < Outage)
        {
            foreach (var agent in kept)
            {
                var local = await agent.Host.LocalAgentAsync(agent.AgentId);
                Assert.Equal("running", (string?)local["state"]);
                Assert.Equal(keepStarts[agent.AgentId], (string?)local["started_at"]);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        await manager.StartAsync();
        var afterRestart = FailureScenario.Started();
        // The manager's view of an agent may still be its report from before the outage: look at the nodes first.
        foreach (var agent in movable.Concat(kept))
        {
            await cluster.WaitAsync(async () => (await agent.Host.RunningAgentIdsAsync()).Contains(agent.AgentId), FailureScenario.Deadline,
                $"{agent.AgentId} to run again on {agent.Host.Name}");
            await cluster.WaitAsync(async () => await cluster.StateAsync(agent.AgentId) == "running", FailureScenario.Deadline,
                $"{agent.AgentId} to be reported running");
        }
        // Startup grace: the restarted manager never condemned the containers it had not heard from for 20 s.
        while (afterRestart.Elapsed < cluster.Options.LostAfter + TimeSpan.FromSeconds(1))
        {
            Assert.All(await cluster.Api.ContainersAsync(), c => Assert.NotEqual("lost", (string?)c["status"]));
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        foreach (var agent in movable.Concat(kept))
        {
            var view = await cluster.Api.AgentAsync(agent.AgentId);
            Assert.Equal(agent.ContainerId, (string?)view["container_id"]);
            Assert.Equal(1, (long)view["epoch"]!);
            Assert.Contains(agent.AgentId, await agent.Host.RunningAgentIdsAsync());
        }
        foreach (var agent in kept)
        {
            var local = await agent.Host.LocalAgentAsync(agent.AgentId);
            Assert.Equal(0, (int)local["restarts"]!);
            Assert.Equal(keepStarts[agent.AgentId], (string?)local["started_at"]);
        }
        Assert.All(cluster.Orchestrators, o => Assert.Contains("Fenced agent", o.Log));
        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
        var running = sampler.Latest.Values.SelectMany(ids => ids).ToList();
        Assert.Equal(running.Count, running.Distinct().Count());
        Assert.Equal(4, running.Count);
        Assert.Equal(HttpStatusCode.OK, (await cluster.Http.GetAsync(manager.Url + "/health")).StatusCode);
    }
}
