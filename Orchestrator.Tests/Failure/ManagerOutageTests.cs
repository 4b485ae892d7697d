using Orchestrator.Protocol;
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
        var keepStarts = new Dictionary<string, DateTimeOffset?>();
        foreach (var agent in kept) keepStarts[agent.AgentId] = (await agent.Host.LocalAgentAsync(agent.AgentId)).StartedAt;
        await using var sampler = RunningAgentSampler.Start(cluster);

        var manager = cluster.Managers[0];
        manager.Kill();
        var outage = FailureScenario.Started();
        foreach (var agent in movable)
            await cluster.WaitAsync(async () => (await agent.Host.LocalAgentAsync(agent.AgentId)).State == "stopped",
                cluster.Options.AgentLease + TimeSpan.FromSeconds(3), $"{agent.AgentId} to fence itself on {agent.Host.Name}");

        // Through the whole outage: keep agents run, uninterrupted; the local API answers.
        while (outage.Elapsed < Outage)
        {
            foreach (var agent in kept)
            {
                var local = await agent.Host.LocalAgentAsync(agent.AgentId);
                Assert.Equal("running", local.State);
                Assert.Equal(keepStarts[agent.AgentId], local.StartedAt);
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
            Assert.All(await cluster.Api.ListAllContainersAsync(), c => Assert.NotEqual("lost", c.Status));
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        foreach (var agent in movable.Concat(kept))
        {
            var view = await cluster.Api.GetAgentAsync(agent.AgentId);
            Assert.Equal(agent.ContainerId, view.ContainerId);
            Assert.Equal(1, view.Epoch);
            // A reschedule agent fences whenever its lease lapses, also for a moment under a loaded machine's slow answers;
            // what must hold is that it runs there again, once (the sampler below checks no duplicate ever ran).
            await cluster.WaitAsync(async () => (await agent.Host.RunningAgentIdsAsync()).Contains(agent.AgentId), FailureScenario.Deadline,
                $"{agent.AgentId} to run on {agent.Host.Name} after the grace period");
        }
        foreach (var agent in kept)
        {
            var local = await agent.Host.LocalAgentAsync(agent.AgentId);
            Assert.Equal(0, local.Restarts);
            Assert.Equal(keepStarts[agent.AgentId], local.StartedAt);
        }
        Assert.All(cluster.Orchestrators, o => Assert.Contains("Fenced agent", o.Log));
        // All four at once in one sampling round (awaited: a round can catch one between a lapse and its confirm).
        await cluster.WaitAsync(() => Task.FromResult(sampler.Latest.Values.Sum(ids => ids.Count) == 4), FailureScenario.Deadline,
            "one sampling round to see all four agents running");
        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
        var running = sampler.Latest.Values.SelectMany(ids => ids).ToList();
        Assert.Equal(running.Count, running.Distinct().Count());
        Assert.Equal(HttpStatusCode.OK, (await cluster.Http.GetAsync(manager.Url + "/health")).StatusCode);
    }
}
