using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Tests.Manager;

// /status reads the totals hash the scripts keep, so it must agree with the registry itself.
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

        var status = await admin.GetJsonAsync("/api/v1/cluster/status");

        Assert.Equal(1, status.GetProperty("total_containers").GetInt32());
        Assert.Equal(1, status.GetProperty("containers_by_status").GetProperty("healthy").GetInt32());
        Assert.Equal(10, status.GetProperty("total_capacity").GetInt32());
        Assert.Equal(4, status.GetProperty("agents_in_use").GetInt32());
        Assert.Equal(6, status.GetProperty("available_capacity").GetInt32());
    }

    [Fact]
    public async Task TotalsMissingFromAnOlderRedisAreRebuiltFromTheRegistry()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        await using var manager = new ManagerFactory(redis);
        using var admin = await manager.CreateAdminClientAsync();
        await admin.RegisterIdAsync(Registrations.UniqueName());
        await admin.RegisterIdAsync(Registrations.UniqueName());
        var db = manager.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        await db.KeyDeleteAsync(RedisKeys.ContainerTotals);

        Assert.True(await manager.Services.GetRequiredService<ContainerTotals>().EnsureBuiltAsync());

        var status = await admin.GetJsonAsync("/api/v1/cluster/status");
        Assert.Equal(2, status.GetProperty("containers_by_status").GetProperty("healthy").GetInt32());
        Assert.False(await manager.Services.GetRequiredService<ContainerTotals>().EnsureBuiltAsync());
    }
}
