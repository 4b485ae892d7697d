namespace Orchestrator.Tests.Failure;

// A node notices a restarted manager through its long-poll within seconds; it then heartbeats at once (after a
// short random pause) instead of at its next interval, so the fleet counts as back right after the restart.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class ReconnectHeartbeatTests
{
    [Fact]
    public async Task ANodeHeartbeatsAsSoonAsItsLongPollReachesTheRestartedManagerNotAtItsNextInterval()
    {
        // A 60 s interval: a scheduled beat cannot fall into the seconds this test waits after the restart.
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 1, HeartbeatSeconds = 60 });
        var node = cluster.Orchestrators[0];
        var before = (await cluster.ContainerAsync(node)).LastHeartbeat;

        var manager = cluster.Managers[0];
        manager.Kill();
        var restarted = DateTimeOffset.UtcNow;
        await manager.StartAsync();

        var after = await cluster.PollAsync(async () => (await cluster.ContainerAsync(node)).LastHeartbeat is var at && at > restarted ? (DateTimeOffset?)at : null,
            TimeSpan.FromSeconds(25), "a heartbeat from the node soon after the restart, long before its next interval");
        Assert.True(after > before);
        // The node's console logger writes in the background: its line may reach the captured log after the beat it
        // announced reached the manager.
        await cluster.WaitAsync(() => Task.FromResult(node.Log.Contains("Heartbeating early", StringComparison.Ordinal)), TimeSpan.FromSeconds(10),
            "the node's 'Heartbeating early' line");
    }
}
