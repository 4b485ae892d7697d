using Orchestrator.Protocol;

namespace Orchestrator.Tests.Failure;

// Drain and stop/start over real processes (issues 25, 27): the manager, redis-server and two nodes; the agents are
// the node's own trading agents. One cluster for the whole class (CI time).
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class DrainTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ADrainWithMaxParallelTwoMovesEveryRescheduleAgentOffNeverRunningOneTwiceAndLeavesKeepAgents()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 2 });
        var (source, target) = (cluster.Orchestrators[0], cluster.Orchestrators[1]);
        var targetId = (await cluster.ContainerAsync(target)).ContainerId;
        var sourceId = (await cluster.ContainerAsync(source)).ContainerId;

        // Everything lands on the source while the target is cordoned.
        await cluster.Api.SetEligibilityAsync(targetId, new SetEligibilityRequest(ContainerEligibility.Ineligible, "test"));
        var movers = (await cluster.Api.DeployAsync(DeployRequests.Trading(replicas: 6, onClusterLoss: ClusterLossPolicies.Reschedule))).Agents;
        var kept = (await cluster.Api.DeployAsync(DeployRequests.Trading(onClusterLoss: ClusterLossPolicies.Keep))).Agents.Single();
        Assert.All(movers.Append(kept), a => Assert.Equal(sourceId, a.ContainerId));
        await cluster.WaitAsync(async () => (await source.RunningAgentIdsAsync()).Count == 7, Deadline, "7 agents running on the source");

        // Stop keeps the agent where it is, stopped; start runs it again (the stop/start API, desired_state).
        await cluster.Api.StopAgentAsync(kept.AgentId);
        await cluster.WaitAsync(async () => (await cluster.Api.GetAgentAsync(kept.AgentId)).State == AgentStates.Stopped
            && !(await source.RunningAgentIdsAsync()).Contains(kept.AgentId), Deadline, "the stopped agent reported stopped");
        await cluster.Api.StartAgentAsync(kept.AgentId);
        await cluster.WaitAsync(async () => (await source.RunningAgentIdsAsync()).Contains(kept.AgentId), Deadline, "the agent running again");

        await cluster.Api.SetEligibilityAsync(targetId, new SetEligibilityRequest(ContainerEligibility.Eligible, null));
        await using var sampler = RunningAgentSampler.Start(cluster);
        var started = await cluster.Api.DrainContainerAsync(sourceId, new DrainRequest(DeadlineSeconds: 120, MaxParallel: 2));
        Assert.Equal(ContainerEligibility.Ineligible, started.Eligibility);
        Assert.Equal(DrainStates.Draining, started.Drain!.State);

        // Sampled every 100 ms: never more than 2 agents on their way, the source healthy (it keeps heartbeating).
        var maxMoving = 0;
        var samples = 0;
        DrainProgress? drain = null;
        await cluster.WaitAsync(async () =>
        {
            var view = await cluster.Api.GetContainerAsync(sourceId);
            drain = view.Drain;
            samples++;
            maxMoving = Math.Max(maxMoving, drain?.Moving.Count ?? 0);
            Assert.Equal(ContainerStatus.Healthy, view.Status);
            if (drain?.State == DrainStates.Complete) return true;
            await Task.Delay(100);
            return false;
        }, Deadline, "the drain to complete");
        Assert.InRange(maxMoving, 1, 2);
        Assert.Equal(6, drain!.Moved);
        Assert.Equal(0, drain.Remaining);

        await cluster.WaitAsync(async () => (await target.RunningAgentIdsAsync()).SetEquals(movers.Select(a => a.AgentId)), Deadline,
            "all 6 running on the target");
        Assert.Equal([kept.AgentId], await source.RunningAgentIdsAsync());
        foreach (var agent in movers)
        {
            var view = await cluster.Api.GetAgentAsync(agent.AgentId);
            Assert.Equal(targetId, view.ContainerId);
            Assert.Equal(2, view.Epoch);
        }
        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
        Assert.True(samples > 3, $"only {samples} samples");
    }
}
