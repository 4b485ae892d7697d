using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Liveness;

namespace Orchestrator.Tests.Manager;

// Its own Redis, so the counts are exactly this test's containers.
[Trait(TestLevel.Name, TestLevel.Api)]
public class ClusterStatusTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task StatusCountsContainersByStatusAndSumsCapacity()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var lost = await admin.RegisterIdAsync(Registrations.UniqueName("lost"));
        Manager.Time.Advance(TimeSpan.FromSeconds(30));
        var unhealthy = await admin.RegisterIdAsync(Registrations.UniqueName("unhealthy"));
        Manager.Time.Advance(TimeSpan.FromSeconds(61));
        var healthy = await admin.RegisterIdAsync(Registrations.UniqueName("healthy"));
        var busy = await admin.RegisterIdAsync(Registrations.UniqueName("busy"));
        var heartbeat = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{busy}/heartbeat", Registrations.Heartbeat(busy, activeAgents: 4));
        heartbeat.EnsureSuccessStatusCode();
        await Manager.Services.GetRequiredService<LivenessSweeper>().SweepAsync();

        var status = await admin.GetJsonAsync("/api/v1/cluster/status");
        Assert.True(status.GetProperty("redis_reachable").GetBoolean());
        Assert.Equal(4, status.GetProperty("total_containers").GetInt32());
        var byStatus = status.GetProperty("containers_by_status");
        Assert.Equal(2, byStatus.GetProperty("healthy").GetInt32());
        Assert.Equal(1, byStatus.GetProperty("unhealthy").GetInt32());
        Assert.Equal(1, byStatus.GetProperty("lost").GetInt32());
        Assert.Equal(20, status.GetProperty("total_capacity").GetInt32()); // two healthy containers of 10
        Assert.Equal(4, status.GetProperty("agents_in_use").GetInt32());
        Assert.Equal(16, status.GetProperty("available_capacity").GetInt32());
        Assert.NotNull(lost + unhealthy + healthy);
    }
}
