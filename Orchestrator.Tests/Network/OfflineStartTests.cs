using Orchestrator.Protocol;

namespace Orchestrator.Tests.Network;

// A node restarts while its link to the vendor is down: it must run from what it saved in DATA_DIR, and
// register once the link is back, without anyone dialling in to it.
[Collection(NetworkCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Network)]
public sealed class OfflineStartTests
{
    [SkippableFact]
    public async Task ANodeStartedWhileTheManagerIsUnreachableRunsItsKeepAgentsFromItsStateFileAndRegistersWhenTheLinkComesUp()
    {
        await NetworkTier.RequireNamespacesAsync();
        await using var cluster = await NetworkCluster.StartAsync(new() { Customers = 1 });
        var node = cluster.Nodes[0];
        var keep = (await cluster.DeployRunningAsync("keep", 1)).Single().AgentId;
        var moving = (await cluster.DeployRunningAsync("reschedule", 1)).Single().AgentId;
        var containerId = (await cluster.ContainerAsync(node)).ContainerId;
        Assert.True(File.Exists(Path.Combine(node.DataDirectory, "desired-state.json")), "the node saved no desired state");

        node.Kill();
        await cluster.Lab.CutAsync(node.Customer);
        await node.StartAsync();

        // From its state file alone: the keep agent runs; the reschedule agent waits for the manager's confirmation.
        await cluster.WaitAsync(async () => (await node.RunningAgentIdsAsync()).Contains(keep), NetworkTier.Deadline,
            "the restarted node to run its keep agent from DATA_DIR with no manager in reach");
        var held = await node.LocalAgentAsync(moving);
        Assert.NotEqual(AgentStates.Running, held.State);
        Assert.StartsWith("fenced:", held.LastError);
        await cluster.WaitAsync(async () => (await node.HealthAsync()).Contains("manager unreachable", StringComparison.Ordinal),
            NetworkTier.Deadline, "the node to report the manager unreachable");
        var keepStartedAt = (await node.LocalAgentAsync(keep)).StartedAt;

        await cluster.Lab.RestoreAsync(node.Customer);
        await cluster.WaitAsync(async () => (await cluster.ContainerAsync(node)) is { Status: ContainerStatus.Healthy } c && c.LastHeartbeat > DateTimeOffset.UtcNow.AddSeconds(-5),
            NetworkTier.Deadline, "the node to register and heartbeat once the link is up");
        Assert.Equal(containerId, (await cluster.ContainerAsync(node)).ContainerId);
        await cluster.WaitAsync(async () => (await node.RunningAgentIdsAsync()).Contains(moving), NetworkTier.Deadline,
            "the reschedule agent to start once the manager confirms it");
        foreach (var agent in new[] { keep, moving })
            await cluster.WaitAsync(async () => (await cluster.Api.GetAgentAsync(agent)).State == AgentStates.Running, NetworkTier.Deadline,
                $"the manager to show {agent} running");
        var keepNow = await node.LocalAgentAsync(keep);
        Assert.Equal(keepStartedAt, keepNow.StartedAt);
        Assert.Equal(0, keepNow.Restarts);

        await NetworkTier.AssertOutboundOnlyAsync(cluster);
    }
}
