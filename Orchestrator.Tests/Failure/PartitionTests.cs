
namespace Orchestrator.Tests.Failure;

// An orchestrator cut off from the manager while both stay up (its network path goes dark).
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class PartitionTests
{
    [Fact]
    public async Task CutOffOrchestratorStopsItsRescheduleAgentsBeforeTheirReplacementStartsAndKeepsItsKeepAgents()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 2 });
        var movable = await cluster.DeployRunningAsync("reschedule", 2);
        var kept = await cluster.DeployRunningAsync("keep", 2);
        await using var sampler = RunningAgentSampler.Start(cluster);
        var island = cluster.Orchestrators[0];
        var moving = movable.Single(a => a.Host == island);
        var keep = kept.Single(a => a.Host == island);
        var keepStartedAt = (string?)(await island.LocalAgentAsync(keep.AgentId))["started_at"];

        island.CutOffFromManager();
        var fencedAt = await cluster.PollAsync(async () =>
            (string?)(await island.LocalAgentAsync(moving.AgentId))["state"] == "stopped" ? (DateTime?)DateTime.UtcNow : null,
            FailureScenario.Deadline, "the cut-off node to fence its reschedule agent");
        var newHost = await cluster.WaitRunningElsewhereAsync(moving.AgentId, island, FailureScenario.Deadline);
        // The sampler polls every 100 ms: wait for its own sighting of the replacement, which may trail the probe above.
        await cluster.WaitAsync(() => Task.FromResult(sampler.FirstSeenRunning(newHost.Name, moving.AgentId) is not null),
            FailureScenario.Deadline, "the sampler to see the replacement running");
        var replacementAt = sampler.FirstSeenRunning(newHost.Name, moving.AgentId)!.Value;
        Assert.True(fencedAt < replacementAt, $"fenced at {fencedAt:HH:mm:ss.fff}, replacement seen running at {replacementAt:HH:mm:ss.fff}");
        Assert.StartsWith("fenced: no contact", (string?)(await island.LocalAgentAsync(moving.AgentId))["last_error"]);
        Assert.Contains(keep.AgentId, await island.RunningAgentIdsAsync());

        // The path comes back: the stale copy is dropped for good, the keep agent never restarted.
        island.ReconnectToManager();
        await cluster.WaitAsync(async () => await island.AgentAsync(moving.AgentId) is null, FailureScenario.Deadline,
            "the reconnected node to drop the agent that moved away");
        await cluster.WaitAsync(async () => await cluster.StateAsync(keep.AgentId) == "running", FailureScenario.Deadline,
            "the keep agent to show running again on the manager");
        var keepNow = await island.LocalAgentAsync(keep.AgentId);
        Assert.Equal(keepStartedAt, (string?)keepNow["started_at"]);
        Assert.Equal(0, (int)keepNow["restarts"]!);
        Assert.Contains(moving.AgentId, await newHost.RunningAgentIdsAsync());

        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
    }
}
