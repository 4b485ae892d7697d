using Orchestrator.Protocol;

namespace Orchestrator.Tests.Network;

// Half a path: the node's requests reach the manager, the manager's answers never come back. The manager
// hears heartbeats; the node hears nothing, and must behave as in an outage (its lease is only renewed by an
// answer), never as if its calls had succeeded.
[Collection(NetworkCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Network)]
public sealed class AsymmetricFaultTests
{
    [SkippableFact]
    public async Task WhenRequestsArriveButAnswersAreDroppedTheNodeTreatsItAsAnOutageAndRecoversWhenAnswersReturn()
    {
        await NetworkTier.RequireNamespacesAsync();
        await using var cluster = await NetworkCluster.StartAsync(new() { Customers = 2 });
        var movable = await cluster.DeployRunningAsync("reschedule", 2);
        var kept = await cluster.DeployRunningAsync("keep", 2);
        var node = cluster.Nodes[0];
        var moving = movable.Single(a => a.Host == node).AgentId;
        var keep = kept.Single(a => a.Host == node).AgentId;
        var keepStartedAt = (await node.LocalAgentAsync(keep)).StartedAt;
        var containerId = (await cluster.ContainerAsync(node)).ContainerId;
        await using var sampler = cluster.Sampler();

        var wan = node.Customer.Wan;
        var healthyPath = wan.Profile;
        wan.Profile = healthyPath with { DropResponses = true };
        var upBefore = wan.BytesUp;
        var heardBefore = await HeartbeatsReceivedAsync(cluster, containerId);

        await cluster.WaitAsync(async () => (await node.HealthAsync()).Contains("manager unreachable", StringComparison.Ordinal),
            NetworkTier.Deadline, "the node's manager-connection check to report the manager unreachable");
        await cluster.WaitAsync(async () => (await node.LocalAgentAsync(moving)).State == AgentStates.Stopped, NetworkTier.Deadline,
            "the node to fence its reschedule agent: no answer renews its lease");
        Assert.StartsWith("fenced: no contact", (await node.LocalAgentAsync(moving)).LastError);
        // It was half a path: the requests kept arriving and the manager kept counting the node's heartbeats.
        await cluster.WaitAsync(async () => await HeartbeatsReceivedAsync(cluster, containerId) > heardBefore + 2, NetworkTier.Deadline,
            "the manager to keep receiving the node's heartbeats during the fault");
        Assert.True(wan.BytesUp > upBefore && wan.BytesDropped > 0, $"up {wan.BytesUp - upBefore} bytes, dropped {wan.BytesDropped}");
        var keepDuring = await node.LocalAgentAsync(keep);
        Assert.Equal(AgentStates.Running, keepDuring.State);
        Assert.Equal(keepStartedAt, keepDuring.StartedAt);

        wan.Profile = healthyPath;
        await cluster.WaitAsync(async () => (await node.RunningAgentIdsAsync()).Contains(moving), NetworkTier.Deadline,
            "the reschedule agent to run again once the manager's answers confirm it");
        await cluster.WaitAsync(async () => !(await node.HealthAsync()).Contains("manager unreachable", StringComparison.Ordinal),
            NetworkTier.Deadline, "the node to report the manager reachable again");
        Assert.Equal(0, (await node.LocalAgentAsync(keep)).Restarts);
        Assert.Equal(keepStartedAt, (await node.LocalAgentAsync(keep)).StartedAt);

        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
        await NetworkTier.AssertOutboundOnlyAsync(cluster);
    }

    private static async Task<long> HeartbeatsReceivedAsync(NetworkCluster cluster, string containerId) =>
        (await cluster.Api.GetCommunicationStatsAsync()).Containers.Single(c => c.ContainerId == containerId).HeartbeatsReceived;
}
