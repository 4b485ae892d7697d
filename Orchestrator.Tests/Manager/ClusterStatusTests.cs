using Orchestrator.Manager.Containers;
using Orchestrator.Protocol;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;

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

        var status = await admin.GetStatusAsync();
        Assert.True(status.RedisReachable);
        Assert.Equal(4, status.TotalContainers);
        Assert.Equal(2, status.ContainersByStatus[ContainerStatus.Healthy]);
        Assert.Equal(1, status.ContainersByStatus[ContainerStatus.Unhealthy]);
        Assert.Equal(1, status.ContainersByStatus[ContainerStatus.Lost]);
        Assert.Equal(20, status.TotalCapacity); // two healthy containers of 10
        Assert.Equal(4, status.AgentsInUse);
        Assert.Equal(16, status.AvailableCapacity);
        Assert.NotNull(lost + unhealthy + healthy);
    }
}
