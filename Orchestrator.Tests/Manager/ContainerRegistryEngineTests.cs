using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Manager;

// The container registry through the real API on both engines: one redis-server, and a three-master Redis
// Cluster where each call runs in its container's shard's slot.
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class ContainerRegistryOnSingleRedisTests(SingleRedisFixture redis) : ContainerRegistryEngineTests<SingleRedisFixture>(redis);

[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class ContainerRegistryOnRedisClusterTests(RedisClusterFixture redis) : ContainerRegistryEngineTests<RedisClusterFixture>(redis);

public abstract class ContainerRegistryEngineTests<TEngine>(TEngine redis) : IClassFixture<TEngine> where TEngine : RedisEngineFixture
{
    [Fact]
    public async Task StatusSumsWhatRegistrationsHeartbeatsAndDeletesWroteAcrossShards()
    {
        await using var manager = new ManagerFactory(redis.ConnectionString);
        using var admin = await manager.CreateAdminClientAsync();
        var before = await admin.GetStatusAsync();
        var ids = new List<string>();
        for (var i = 0; i < 12; i++) ids.Add(await admin.RegisterIdAsync(Registrations.UniqueName()));
        foreach (var id in ids.Take(6))
            (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id, activeAgents: 3))).EnsureSuccessStatusCode();
        foreach (var id in ids.Skip(10)) (await admin.DeleteAsync($"/api/v1/cluster/containers/{id}")).EnsureSuccessStatusCode();

        var status = await admin.GetStatusAsync();

        Assert.Equal(before.TotalContainers + 10, status.TotalContainers);
        Assert.Equal(before.TotalCapacity + 100, status.TotalCapacity);
        Assert.Equal(before.AgentsInUse + 18, status.AgentsInUse);
        Assert.Equal(404, (int)(await admin.GetAsync($"/api/v1/cluster/containers/{ids[11]}")).StatusCode);
    }

    [Fact]
    public async Task RegisteringANameAgainKeepsItsIdAndAHeartbeatFromAnUnknownContainerReturnsNotFound()
    {
        await using var manager = new ManagerFactory(redis.ConnectionString);
        using var admin = await manager.CreateAdminClientAsync();
        var name = Registrations.UniqueName();
        var id = await admin.RegisterIdAsync(name);

        Assert.Equal(id, await admin.RegisterIdAsync(name));
        var unknown = await admin.PostAsJsonAsync("/api/v1/cluster/containers/ctr-0000000000000000/heartbeat", Registrations.Heartbeat("ctr-0000000000000000"));
        await unknown.AssertProblemAsync(404);
    }

    [Fact]
    public async Task AContainerThatStopsHeartbeatingTurnsUnhealthyAndItsNextHeartbeatMakesItHealthy()
    {
        await using var manager = new ManagerFactory(redis.ConnectionString);
        using var admin = await manager.CreateAdminClientAsync();
        var id = await admin.RegisterIdAsync(Registrations.UniqueName());

        manager.Time.Advance(TimeSpan.FromSeconds(61));
        await Deadline.UntilAsync(async () => (await admin.GetContainerAsync(id)).Status == ContainerStatus.Unhealthy,
            TimeSpan.FromSeconds(20), "the liveness sweep to mark the silent container unhealthy");
        (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id))).EnsureSuccessStatusCode();

        Assert.Equal(ContainerStatus.Healthy, (await admin.GetContainerAsync(id)).Status);
    }
}
