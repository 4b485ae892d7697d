using Orchestrator.Protocol;
using System.Net.Http.Json;

namespace Orchestrator.Tests.Manager;

// /status sums the shards' totals hashes the scripts keep, so it must agree with the registry itself.
// (A Redis written before totals existed gets them from the layout migration: RedisLayoutTests.)
[Trait(TestLevel.Name, TestLevel.Api)]
public class ContainerTotalsTests
{
    [Fact]
    public async Task StatusCountsFollowRegisterHeartbeatAndDelete()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        await using var manager = new ManagerFactory(redis);
        using var admin = await manager.CreateAdminClientAsync();
        var a = await admin.RegisterIdAsync(Registrations.UniqueName());
        var b = await admin.RegisterIdAsync(Registrations.UniqueName());
        (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{a}/heartbeat", Registrations.Heartbeat(a, activeAgents: 4))).EnsureSuccessStatusCode();
        await admin.DeleteAsync($"/api/v1/cluster/containers/{b}");

        var status = await admin.GetStatusAsync();

        Assert.Equal(1, status.TotalContainers);
        Assert.Equal(1, status.ContainersByStatus[ContainerStatus.Healthy]);
        Assert.Equal(10, status.TotalCapacity);
        Assert.Equal(4, status.AgentsInUse);
        Assert.Equal(6, status.AvailableCapacity);
    }
}
