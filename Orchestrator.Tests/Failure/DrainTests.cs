using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Failure;

// Drain, update locks and stop/start over real processes (issues 25, 27): the manager, redis-server and two nodes;
// the agents are the node's own trading agents and one `process` agent (sh) that holds its update lock. One cluster,
// one test (CI time).
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class DrainTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ADrainWithMaxParallelTwoMovesEveryRescheduleAgentOffNeverRunningOneTwiceWaitsForALockAndLeavesKeepAgents()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 2, OrchestratorEnvironment = { ["ALLOWED_COMMANDS"] = "/bin/sh" } });
        var (source, target) = (cluster.Orchestrators[0], cluster.Orchestrators[1]);
        var targetId = (await cluster.ContainerAsync(target)).ContainerId;
        var sourceId = (await cluster.ContainerAsync(source)).ContainerId;

        // Everything lands on the source while the target is cordoned.
        await cluster.Api.SetEligibilityAsync(targetId, new SetEligibilityRequest(ContainerEligibility.Ineligible, "test"));
        var movers = (await cluster.Api.DeployAsync(DeployRequests.Trading(replicas: 6, onClusterLoss: ClusterLossPolicies.Reschedule))).Agents;
        var kept = (await cluster.Api.DeployAsync(DeployRequests.Trading(onClusterLoss: ClusterLossPolicies.Keep))).Agents.Single();
        // A bot in a critical section: it takes its update lock at start and keeps it until the test removes it.
        var locked = (await cluster.Api.DeployAsync(new DeployRequest("process", JsonSerializer.SerializeToElement(new
        {
            command = "/bin/sh",
            args = new[] { "-c", "mkdir -p \"$AGENT_DATA_DIR/.orchestrator\"; touch \"$AGENT_DATA_DIR/.orchestrator/update.lock\"; exec sleep 600" },
        }), null, 1, OnClusterLoss: ClusterLossPolicies.Reschedule))).Agents.Single();
        Assert.All(movers.Append(kept).Append(locked), a => Assert.Equal(sourceId, a.ContainerId));
        await cluster.WaitAsync(async () => (await source.RunningAgentIdsAsync()).Count == 8, Deadline, "8 agents running on the source");
        var lockFile = Path.Combine(source.DataDirectory, "agents", locked.AgentId, ".orchestrator", "update.lock");
        await cluster.WaitAsync(() => Task.FromResult(File.Exists(lockFile)), Deadline, "the agent to take its lock");
        var everyMover = movers.Select(a => a.AgentId).Append(locked.AgentId).ToHashSet();

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
        async Task<bool> SampleUntil(Func<DrainProgress, bool> done)
        {
            var view = await cluster.Api.GetContainerAsync(sourceId);
            drain = view.Drain;
            samples++;
            maxMoving = Math.Max(maxMoving, drain?.Moving.Count ?? 0);
            Assert.Equal(ContainerStatus.Healthy, view.Status);
            if (drain is not null && done(drain)) return true;
            await Task.Delay(100);
            return false;
        }
        // The others move; the locked one waits, shown blocked_by_lock, and holds the drain open.
        await cluster.WaitAsync(() => SampleUntil(d => d.Moved == 6 && d.Blocked == 1), Deadline, "6 moved and the locked one blocked");
        Assert.Equal(DrainStates.Draining, drain!.State);
        Assert.Equal(1, drain.Remaining);
        await cluster.WaitAsync(async () => await cluster.Api.GetAgentAsync(locked.AgentId) is { State: AgentStates.BlockedByLock, LockWaitedSeconds: >= 1 },
            Deadline, "the manager to show the agent blocked_by_lock with the time it waited");
        Assert.Equal(AgentStates.BlockedByLock, (await source.AgentAsync(locked.AgentId))?.State);

        File.Delete(lockFile);
        await cluster.WaitAsync(() => SampleUntil(d => d.State == DrainStates.Complete), Deadline, "the drain to complete once the lock went");
        Assert.InRange(maxMoving, 1, 2);
        Assert.Equal(7, drain!.Moved);
        Assert.Equal(0, drain.Remaining);

        await cluster.WaitAsync(async () => (await target.RunningAgentIdsAsync()).SetEquals(everyMover), Deadline, "all 7 running on the target");
        Assert.Equal([kept.AgentId], await source.RunningAgentIdsAsync());
        foreach (var agent in movers.Append(locked))
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
