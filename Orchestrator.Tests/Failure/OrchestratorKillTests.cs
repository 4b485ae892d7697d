
namespace Orchestrator.Tests.Failure;

// kill -9 of an orchestrator, and its restart from its own DATA_DIR. Each test runs its own cluster of
// three (one lost container of three is not a mass disconnect), with one reschedule and one keep agent per node.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class OrchestratorKillTests
{
    [Fact]
    public async Task KilledOrchestratorsRescheduleAgentsRunElsewhereWithinLostTimePlusTwoSecondsAndItsKeepAgentsShowUnknown()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 3 });
        var movable = await cluster.DeployRunningAsync("reschedule", 3);
        var kept = await cluster.DeployRunningAsync("keep", 3);
        await using var sampler = RunningAgentSampler.Start(cluster);
        var victim = cluster.Orchestrators[0];
        var moving = movable.Single(a => a.Host == victim);
        var keep = kept.Single(a => a.Host == victim);

        var clock = FailureScenario.Started();
        victim.Kill();
        var budget = cluster.Options.LostAfter + cluster.Options.RescheduleAfter + TimeSpan.FromSeconds(2);
        var newHost = await cluster.WaitRunningElsewhereAsync(moving.AgentId, victim, budget + TimeSpan.FromSeconds(10));
        var elapsed = clock.Elapsed;
        Assert.True(elapsed <= budget, $"{moving.AgentId} ran on {newHost.Name} after {elapsed.TotalSeconds:0.0}s; allowed {budget.TotalSeconds:0.0}s\n{cluster.Logs()}");

        var moved = await cluster.Api.AgentAsync(moving.AgentId);
        Assert.Equal(2, (long)moved["epoch"]!);
        Assert.NotEqual(moving.ContainerId, (string?)moved["container_id"]);
        await cluster.WaitAsync(async () => await cluster.StateAsync(moving.AgentId) == "running", FailureScenario.Deadline,
            "the manager to show the moved agent running");
        Assert.Equal("lost", await cluster.ContainerStatusAsync(victim));
        var stayed = await cluster.Api.AgentAsync(keep.AgentId);
        Assert.Equal("unknown", (string?)stayed["state"]);
        Assert.Equal(keep.ContainerId, (string?)stayed["container_id"]);
        Assert.Equal(1, (long)stayed["epoch"]!);

        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
    }

    [Fact]
    public async Task RestartedOrchestratorRunsItsKeepAgentsFromItsStateFileAndNeverTheAgentsThatMovedAway()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 3 });
        var movable = await cluster.DeployRunningAsync("reschedule", 3);
        var kept = await cluster.DeployRunningAsync("keep", 3);
        await using var sampler = RunningAgentSampler.Start(cluster);
        var victim = cluster.Orchestrators[0];
        var moving = movable.Single(a => a.Host == victim);
        var keep = kept.Single(a => a.Host == victim);

        victim.Kill();
        await cluster.WaitRunningElsewhereAsync(moving.AgentId, victim, TimeSpan.FromSeconds(20));
        sampler.ForgetHistory();

        // Back first without a path to the manager: whatever runs now comes from the state file alone.
        victim.CutOffFromManager();
        await victim.StartAsync();
        await cluster.WaitAsync(async () => (await victim.RunningAgentIdsAsync()).Contains(keep.AgentId), FailureScenario.Deadline,
            "the keep agent to run again from the state file");
        Assert.Contains("Restoring 2 agents", victim.Log);
        var fenced = await victim.LocalAgentAsync(moving.AgentId);
        Assert.Equal("stopped", (string?)fenced["state"]);
        Assert.StartsWith("fenced", (string?)fenced["last_error"]);
        var keepStartedAt = (string?)(await victim.LocalAgentAsync(keep.AgentId))["started_at"];

        victim.ReconnectToManager();
        await cluster.WaitAsync(async () => await victim.AgentAsync(moving.AgentId) is null, FailureScenario.Deadline,
            "the restarted node to drop the agent the manager moved away (stale epoch)");
        await cluster.WaitAsync(async () => await cluster.StateAsync(keep.AgentId) == "running", FailureScenario.Deadline,
            "the manager to show the keep agent running on its node again");
        var keepNow = await victim.LocalAgentAsync(keep.AgentId);
        Assert.Equal(keepStartedAt, (string?)keepNow["started_at"]);
        Assert.Equal(0, (int)keepNow["restarts"]!);
        Assert.Equal(keep.ContainerId, (string?)(await cluster.Api.AgentAsync(keep.AgentId))["container_id"]);

        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
        Assert.Null(sampler.FirstSeenRunning(victim.Name, moving.AgentId));
        Assert.NotNull(sampler.FirstSeenRunning(victim.Name, keep.AgentId));
        foreach (var other in cluster.Orchestrators.Where(o => o != victim))
            Assert.Null(sampler.FirstSeenRunning(other.Name, keep.AgentId));
    }
}
