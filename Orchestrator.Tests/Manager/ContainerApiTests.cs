using Orchestrator.Manager.Containers;
using Orchestrator.Protocol;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Tests.Manager;

[Trait(TestLevel.Name, TestLevel.Api)]
public class ContainerApiTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task RegisteringANewContainerReturnsCreatedWithItsIdAndTheHeartbeatInterval()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var name = Registrations.UniqueName();
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse);
        Assert.StartsWith("ctr-", body.ContainerId);
        Assert.Equal(name, body.ContainerName);
        Assert.Equal("healthy", body.Status);
        Assert.Equal(30, body.HeartbeatInterval);
    }

    [Fact]
    public async Task ReRegisteringTheSameNameKeepsTheIdAndUpdatesTheAddress()
    {
        var name = Registrations.UniqueName();
        using var cluster = await Manager.CreateClusterClientAsync(name);
        var first = await cluster.RegisterIdAsync(name);
        var again = await cluster.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name, "10.1.2.3", 9001));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, (await again.ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse)).ContainerId);

        using var admin = await Manager.CreateAdminClientAsync();
        var container = await admin.GetContainerAsync(first);
        Assert.Equal("10.1.2.3", container.HostAddress);
        Assert.Equal(9001, container.ApiPort);
        Assert.Single((await admin.ListContainersAsync()).Containers, c => c.ContainerName == name);
    }

    [Fact]
    public async Task HeartbeatFromAKnownContainerIsAcceptedAndRecorded()
    {
        var name = Registrations.UniqueName();
        using var cluster = await Manager.CreateClusterClientAsync(name);
        var id = await cluster.RegisterIdAsync(name);
        Manager.Time.Advance(TimeSpan.FromSeconds(10));

        var response = await cluster.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id, 87.5, 4));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadAsync(ProtocolJsonContext.Default.HeartbeatResponse);
        Assert.Equal("ok", body.Status);
        Assert.Equal("healthy", body.ContainerStatus);

        using var admin = await Manager.CreateAdminClientAsync();
        var container = await admin.GetContainerAsync(id);
        Assert.Equal(87.5, container.HealthScore);
        Assert.Equal(4, container.ActiveAgents);
        Assert.Equal(Manager.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            container.LastHeartbeat.ToUnixTimeMilliseconds());
        Assert.Equal(12.5, container.Usage!.Value.GetProperty("cpu_percent").GetDouble());
    }

    [Fact]
    public async Task HeartbeatFromAnUnknownContainerReturnsNotFound()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/ctr-missing/heartbeat", Registrations.Heartbeat("ctr-missing"));
        var problem = await response.AssertProblemAsync(404);
        Assert.Contains("ctr-missing", problem.Detail);
    }

    [Fact]
    public async Task ContainersCanBeListedFilteredByStatusFetchedAndDeleted()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var stale = await admin.RegisterIdAsync(Registrations.UniqueName("stale"));
        Manager.Time.Advance(TimeSpan.FromSeconds(61));
        var fresh = await admin.RegisterIdAsync(Registrations.UniqueName("fresh"));
        await Manager.Services.GetRequiredService<LivenessSweeper>().SweepAsync();

        var ids = (await admin.ListContainersAsync()).Containers.Select(c => c.ContainerId).ToList();
        Assert.Contains(stale, ids);
        Assert.Contains(fresh, ids);
        // The wire's shape itself: every documented field is present, not just deserializable.
        var first = (await admin.GetJsonAsync(ManagerRoutes.Containers)).GetProperty("containers")[0];
        foreach (var field in new[] { "container_id", "container_name", "host_address", "api_port", "capabilities", "metadata",
                     "status", "last_heartbeat", "health_score", "active_agents", "max_agents" })
        {
            Assert.True(first.TryGetProperty(field, out _), $"a listed container has {field}");
        }

        var unhealthyIds = (await admin.ListContainersAsync("?status=unhealthy")).Containers.Select(c => c.ContainerId).ToList();
        Assert.Contains(stale, unhealthyIds);
        Assert.DoesNotContain(fresh, unhealthyIds);

        var one = await admin.GetContainerAsync(fresh);
        Assert.Equal(10, one.MaxAgents);
        Assert.Equal("1", one.Metadata.GetProperty("orchestrator_id").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/cluster/containers/{fresh}")).StatusCode);
        await (await admin.GetAsync($"/api/v1/cluster/containers/{fresh}")).AssertProblemAsync(404);
        await (await admin.DeleteAsync($"/api/v1/cluster/containers/{fresh}")).AssertProblemAsync(404);
        Assert.DoesNotContain((await admin.ListContainersAsync()).Containers, c => c.ContainerId == fresh);
    }

    [Fact]
    public async Task MaxAgentsComesFromTheRequestElseFromMetadata()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var explicitName = Registrations.UniqueName();
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", new
        {
            container_name = explicitName, host_address = "127.0.0.1", api_port = 8001, max_agents = 7,
        });
        var id = (await response.ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse)).ContainerId;
        Assert.Equal(7, (await admin.GetContainerAsync(id)).MaxAgents);

        response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", new
        {
            container_name = Registrations.UniqueName(), host_address = "127.0.0.1", api_port = 8001, metadata = new { max_agents = 3 },
        });
        id = (await response.ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse)).ContainerId;
        Assert.Equal(3, (await admin.GetContainerAsync(id)).MaxAgents);
    }
}
