
namespace Orchestrator.Tests.Failure;

// Two of three orchestrators die at once: the manager suspects itself and holds rescheduling.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class MassDisconnectTests
{
    [Fact]
    public async Task KillingTwoOfThreeOrchestratorsAtOncePausesReschedulingUntilOneComesBack()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 3 });
        var movable = await cluster.DeployRunningAsync("reschedule", 3);
        var (first, second) = (cluster.Orchestrators[0], cluster.Orchestrators[1]);
        var onFirst = movable.Single(a => a.Host == first);
        var onSecond = movable.Single(a => a.Host == second);
        Assert.False((bool)(await cluster.Api.StatusAsync())["rescheduling_paused"]!);

        first.Kill();
        second.Kill();
        var status = await cluster.PollAsync(async () =>
        {
            var s = await cluster.Api.StatusAsync();
            return (bool)s["rescheduling_paused"]! ? s : null;
        }, FailureScenario.Deadline, "rescheduling to pause");
        Assert.Contains("2 of 3 containers went lost", (string?)status["rescheduling_paused_reason"]);
        Assert.Contains("Rescheduling paused", cluster.Managers[0].Log);

        // Well past the point where they would have moved, both agents are still where they were.
        var pastDue = FailureScenario.Started();
        while (pastDue.Elapsed < cluster.Options.RescheduleAfter + TimeSpan.FromSeconds(2))
        {
            foreach (var agent in new[] { onFirst, onSecond })
            {
                var view = await cluster.Api.AgentAsync(agent.AgentId);
                Assert.Equal(agent.ContainerId, (string?)view["container_id"]);
                Assert.Equal("unknown", (string?)view["state"]);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        Assert.Single(cluster.Managers[0].Log.Split('\n'), l => l.Contains("Rescheduling paused"));

        // One comes back: one of three lost is no mass disconnect; the other's agent moves.
        await first.StartAsync();
        await cluster.WaitAsync(async () => !(bool)(await cluster.Api.StatusAsync())["rescheduling_paused"]!, FailureScenario.Deadline,
            "rescheduling to resume");
        await cluster.WaitRunningElsewhereAsync(onSecond.AgentId, second, FailureScenario.Deadline);
        await cluster.WaitAsync(async () => (await first.RunningAgentIdsAsync()).Contains(onFirst.AgentId), FailureScenario.Deadline,
            "the returning node to run its own reschedule agent again once the manager confirms it");
        Assert.Equal(1, (long)(await cluster.Api.AgentAsync(onFirst.AgentId))["epoch"]!);
    }
}
