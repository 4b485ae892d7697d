using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Operators;

namespace Orchestrator.Tests.Failure;

// Drain, update locks and stop/start over real processes (issues 25, 27): the manager, redis-server and two nodes of
// one tenant; the agents are the node's own trading agents and `process` agents (sh) that hold their update lock.
// One cluster, one test in three phases on the same source node (CI time): the done-when drain of 10 reschedule
// agents with a lock that goes; a lock that never goes, forced when the deadline passes; and a forced drain.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class DrainTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private const string Tenant = "1";

    [Fact]
    public async Task ADrainWithMaxParallelTwoMovesTenRescheduleAgentsNeverRunningOneTwiceWaitsForALockUntilItGoesOrTheDeadlinePassesAndOnlyForceMovesKeepAndPinnedAgents()
    {
        await using var cluster = await ProcessCluster.StartAsync(new()
        {
            Orchestrators = 2,
            OrchestratorEnvironment =
            {
                ["ALLOWED_COMMANDS"] = "/bin/sh",
                // Both nodes in tenant 1, so a forced drain has somewhere to put an agent pinned to it; room for all 15.
                ["AGENT_CONFIG"] = """{"capabilities":["agent_runner","orchestrator_cluster"],"max_agents":16,"orchestrator_id":1}""",
            },
        });
        await using var events = new EventCollector(cluster.Api);
        var (source, target) = (cluster.Orchestrators[0], cluster.Orchestrators[1]);
        var targetId = (await cluster.ContainerAsync(target)).ContainerId;
        var sourceId = (await cluster.ContainerAsync(source)).ContainerId;
        Task Cordon(string id, bool cordoned) => cluster.Api.SetEligibilityAsync(id,
            new SetEligibilityRequest(cordoned ? ContainerEligibility.Ineligible : ContainerEligibility.Eligible, cordoned ? "test" : null));

        // Everything lands on the source while the target is cordoned.
        await Cordon(targetId, true);
        var movers = (await cluster.Api.DeployAsync(DeployRequests.Trading(replicas: 10, onClusterLoss: ClusterLossPolicies.Reschedule))).Agents;
        var kept = (await cluster.Api.DeployAsync(DeployRequests.Trading(onClusterLoss: ClusterLossPolicies.Keep))).Agents.Single();
        var pinned = (await cluster.Api.DeployAsync(DeployRequests.Trading(onClusterLoss: ClusterLossPolicies.Reschedule) with
        {
            Constraints = new DeployConstraints(null, JsonSerializer.SerializeToElement(Tenant), null),
        })).Agents.Single();
        // A bot in a critical section: it takes its update lock at start and keeps it until the test removes it.
        var locked = await DeployLockingAgentAsync(cluster);
        var stays = new[] { kept.AgentId, pinned.AgentId }.ToHashSet();
        Assert.All(movers.Append(kept).Append(pinned).Append(locked), a => Assert.Equal(sourceId, a.ContainerId));
        await cluster.WaitAsync(async () => (await source.RunningAgentIdsAsync()).Count == 13, Deadline, "13 agents running on the source");
        var lockFile = LockFile(source, locked.AgentId);
        await cluster.WaitAsync(() => Task.FromResult(File.Exists(lockFile)), Deadline, "the agent to take its lock");
        var everyMover = movers.Select(a => a.AgentId).Append(locked.AgentId).ToHashSet();

        // Stop keeps the agent where it is, stopped; start runs it again (the stop/start API, desired_state).
        await cluster.Api.StopAgentAsync(kept.AgentId);
        await cluster.WaitAsync(async () => (await cluster.Api.GetAgentAsync(kept.AgentId)).State == AgentStates.Stopped
            && !(await source.RunningAgentIdsAsync()).Contains(kept.AgentId), Deadline, "the stopped agent reported stopped");
        await cluster.Api.StartAgentAsync(kept.AgentId);
        await cluster.WaitAsync(async () => (await source.RunningAgentIdsAsync()).Contains(kept.AgentId), Deadline, "the agent running again");

        await Cordon(targetId, false);
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
        await cluster.WaitAsync(() => SampleUntil(d => d.Moved == 10 && d.Blocked == 1), Deadline, "10 moved and the locked one blocked");
        Assert.Equal(DrainStates.Draining, drain!.State);
        Assert.Equal(1, drain.Remaining);
        await cluster.WaitAsync(async () => await cluster.Api.GetAgentAsync(locked.AgentId) is { State: AgentStates.BlockedByLock, LockWaitedSeconds: >= 1 },
            Deadline, "the manager to show the agent blocked_by_lock with the time it waited");
        Assert.Equal(AgentStates.BlockedByLock, (await source.AgentAsync(locked.AgentId))?.State);

        File.Delete(lockFile);
        await cluster.WaitAsync(() => SampleUntil(d => d.State == DrainStates.Complete), Deadline, "the drain to complete once the lock went");
        Assert.InRange(maxMoving, 1, 2);
        Assert.Equal((11, 0), (drain!.Moved, drain.Remaining));

        // A drain that is not forced leaves the keep agent and the tenant-pinned one where they are.
        await cluster.WaitAsync(async () => (await target.RunningAgentIdsAsync()).SetEquals(everyMover), Deadline, "all 11 running on the target");
        Assert.Equal(stays, await source.RunningAgentIdsAsync());
        foreach (var agent in movers.Append(locked)) await AssertMovedAsync(cluster, agent.AgentId, targetId);

        // The deadline: a lock that never goes holds the drain only until deadline_seconds, then its stop is forced
        // (audited and evented as such) and it moves like the others.
        await Cordon(targetId, true);
        await Cordon(sourceId, false);
        var stuck = await DeployLockingAgentAsync(cluster);
        Assert.Equal(sourceId, stuck.ContainerId);
        var stuckLock = LockFile(source, stuck.AgentId);
        await cluster.WaitAsync(() => Task.FromResult(File.Exists(stuckLock)), Deadline, "the second agent to take its lock");
        await Cordon(targetId, false);
        var second = await cluster.Api.DrainContainerAsync(sourceId, new DrainRequest(DeadlineSeconds: 8, MaxParallel: 2));
        await cluster.WaitAsync(() => SampleUntil(d => d.State == DrainStates.Complete), Deadline, "the drain to complete once its deadline passed");
        Assert.True(drain!.CompletedAt >= second.Drain!.Deadline, $"completed at {drain.CompletedAt:O}, before the deadline {second.Drain.Deadline:O}");
        Assert.Equal((1, 0), (drain.Moved, drain.Remaining));
        Assert.True(File.Exists(stuckLock), "the lock never went: the stop was forced");
        var audit = await cluster.Api.GetAuditAsync(actor: "drain", action: "agent.stop.forced");
        var forced = Assert.Single(audit.Entries, e => e.Target == stuck.AgentId);
        Assert.Contains("deadline", forced.Detail);
        var evented = await events.WaitForAsync(e => e.Type == ManagerEventTypes.AgentDesiredStateChanged && e.AgentId == stuck.AgentId,
            Deadline, "the forced stop's event");
        Assert.StartsWith($"forced: drain of {sourceId}: deadline", evented.Event.Detail);
        await cluster.WaitAsync(async () => (await target.RunningAgentIdsAsync()).Contains(stuck.AgentId), Deadline, "the forced agent running on the target");
        await AssertMovedAsync(cluster, stuck.AgentId, targetId);
        Assert.Equal(stays, await source.RunningAgentIdsAsync());

        // force: true moves the keep agent and the pinned one too (to the target, in the same tenant).
        var third = await cluster.Api.DrainContainerAsync(sourceId, new DrainRequest(MaxParallel: 2, Force: true));
        Assert.True(third.Drain!.Force);
        await cluster.WaitAsync(() => SampleUntil(d => d.State == DrainStates.Complete), Deadline, "the forced drain to complete");
        Assert.Equal((2, 0), (drain!.Moved, drain.Remaining));
        await cluster.WaitAsync(async () => stays.IsSubsetOf(await target.RunningAgentIdsAsync()), Deadline, "keep and pinned running on the target");
        Assert.Empty(await source.RunningAgentIdsAsync());
        foreach (var id in stays) await AssertMovedAsync(cluster, id, targetId);

        Assert.InRange(maxMoving, 1, 2);
        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
        Assert.True(samples > 3, $"only {samples} samples");
    }

    private static async Task<PlacedAgent> DeployLockingAgentAsync(ProcessCluster cluster) =>
        (await cluster.Api.DeployAsync(new DeployRequest("process", JsonSerializer.SerializeToElement(new
        {
            command = "/bin/sh",
            args = new[] { "-c", "mkdir -p \"$AGENT_DATA_DIR/.orchestrator\"; touch \"$AGENT_DATA_DIR/.orchestrator/update.lock\"; exec sleep 600" },
        }), null, 1, OnClusterLoss: ClusterLossPolicies.Reschedule))).Agents.Single();

    private static string LockFile(OrchestratorNode node, string agentId) =>
        Path.Combine(node.DataDirectory, "agents", agentId, ".orchestrator", "update.lock");

    // Moved once: on the target, epoch 2 (the move's fence).
    private static async Task AssertMovedAsync(ProcessCluster cluster, string agentId, string targetId)
    {
        var view = await cluster.Api.GetAgentAsync(agentId);
        Assert.Equal((targetId, 2L), (view.ContainerId, view.Epoch));
    }
}
