using Orchestrator.Protocol;

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
        Assert.False((await cluster.Api.GetStatusAsync()).ReschedulingPaused);

        first.Kill();
        second.Kill();
        var status = await cluster.PollAsync(async () =>
        {
            var s = await cluster.Api.GetStatusAsync();
            return s.ReschedulingPaused ? s : null;
        }, FailureScenario.Deadline, "rescheduling to pause");
        Assert.Contains("2 of 3 containers went lost", status.ReschedulingPausedReason);
        // The log line reaches the captured output a moment after the pause is stored: wait for it.
        await cluster.WaitAsync(() => Task.FromResult(cluster.Managers[0].Log.Contains("Rescheduling paused")), FailureScenario.Deadline,
            "the pause to be logged");

        // Well past the point where they would have moved, both agents are still where they were.
        var pastDue = FailureScenario.Started();
        while (pastDue.Elapsed < cluster.Options.RescheduleAfter + TimeSpan.FromSeconds(2))
        {
            foreach (var agent in new[] { onFirst, onSecond })
            {
                var view = await cluster.Api.GetAgentAsync(agent.AgentId);
                Assert.Equal(agent.ContainerId, view.ContainerId);
                Assert.Equal("unknown", view.State);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        // Paused once, never lifted and paused again. On failure, every line about rescheduling or a status change.
        var log = cluster.Managers[0].Log.Split('\n');
        Assert.True(log.Count(l => l.Contains("Rescheduling paused")) == 1, string.Join('\n', log.Where(l =>
            l.Contains("Rescheduling", StringComparison.Ordinal) || l.Contains(" is now ", StringComparison.Ordinal) || l.Contains("changed status", StringComparison.Ordinal))));

        // One comes back: one of three lost is no mass disconnect; the other's agent moves.
        await first.StartAsync();
        await cluster.WaitAsync(async () => !(await cluster.Api.GetStatusAsync()).ReschedulingPaused, FailureScenario.Deadline,
            "rescheduling to resume");
        await cluster.WaitRunningElsewhereAsync(onSecond.AgentId, second, FailureScenario.Deadline);
        await cluster.WaitAsync(async () => (await first.RunningAgentIdsAsync()).Contains(onFirst.AgentId), FailureScenario.Deadline,
            "the returning node to run its own reschedule agent again once the manager confirms it");
        Assert.Equal(1, (await cluster.Api.GetAgentAsync(onFirst.AgentId)).Epoch);
    }
}
