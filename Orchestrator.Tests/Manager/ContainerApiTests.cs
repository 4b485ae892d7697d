using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Liveness;

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
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("ctr-", body.GetProperty("container_id").GetString());
        Assert.Equal(name, body.GetProperty("container_name").GetString());
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(30, body.GetProperty("heartbeat_interval").GetInt32());
    }

    [Fact]
    public async Task ReRegisteringTheSameNameKeepsTheIdAndUpdatesTheAddress()
    {
        var name = Registrations.UniqueName();
        using var cluster = await Manager.CreateClusterClientAsync(name);
        var first = await cluster.RegisterIdAsync(name);
        var again = await cluster.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name, "10.1.2.3", 9001));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("container_id").GetString());

        using var admin = await Manager.CreateAdminClientAsync();
        var container = await admin.GetJsonAsync($"/api/v1/cluster/containers/{first}");
        Assert.Equal("10.1.2.3", container.GetProperty("host_address").GetString());
        Assert.Equal(9001, container.GetProperty("api_port").GetInt32());
        var list = await admin.GetJsonAsync("/api/v1/cluster/containers");
        Assert.Single(list.GetProperty("containers").EnumerateArray(), c => c.GetProperty("container_name").GetString() == name);
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
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("container_status").GetString());

        using var admin = await Manager.CreateAdminClientAsync();
        var container = await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}");
        Assert.Equal(87.5, container.GetProperty("health_score").GetDouble());
        Assert.Equal(4, container.GetProperty("active_agents").GetInt32());
        Assert.Equal(Manager.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            container.GetProperty("last_heartbeat").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(12.5, container.GetProperty("usage").GetProperty("cpu_percent").GetDouble());
    }

    [Fact]
    public async Task HeartbeatFromAnUnknownContainerReturnsNotFound()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/ctr-missing/heartbeat", Registrations.Heartbeat("ctr-missing"));
        var problem = await response.AssertProblemAsync(404);
        Assert.Contains("ctr-missing", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ContainersCanBeListedFilteredByStatusFetchedAndDeleted()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var stale = await admin.RegisterIdAsync(Registrations.UniqueName("stale"));
        Manager.Time.Advance(TimeSpan.FromSeconds(61));
        var fresh = await admin.RegisterIdAsync(Registrations.UniqueName("fresh"));
        await Manager.Services.GetRequiredService<LivenessSweeper>().SweepAsync();

        var all = await admin.GetJsonAsync("/api/v1/cluster/containers");
        var ids = all.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("container_id").GetString()).ToList();
        Assert.Contains(stale, ids);
        Assert.Contains(fresh, ids);
        var first = all.GetProperty("containers")[0];
        foreach (var field in new[] { "container_id", "container_name", "host_address", "api_port", "capabilities", "metadata",
                     "status", "last_heartbeat", "health_score", "active_agents", "max_agents" })
        {
            Assert.True(first.TryGetProperty(field, out _), $"a listed container has {field}");
        }

        var unhealthy = await admin.GetJsonAsync("/api/v1/cluster/containers?status=unhealthy");
        var unhealthyIds = unhealthy.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("container_id").GetString()).ToList();
        Assert.Contains(stale, unhealthyIds);
        Assert.DoesNotContain(fresh, unhealthyIds);

        var one = await admin.GetJsonAsync($"/api/v1/cluster/containers/{fresh}");
        Assert.Equal(10, one.GetProperty("max_agents").GetInt32());
        Assert.Equal("1", one.GetProperty("metadata").GetProperty("orchestrator_id").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/cluster/containers/{fresh}")).StatusCode);
        await (await admin.GetAsync($"/api/v1/cluster/containers/{fresh}")).AssertProblemAsync(404);
        await (await admin.DeleteAsync($"/api/v1/cluster/containers/{fresh}")).AssertProblemAsync(404);
        var after = await admin.GetJsonAsync("/api/v1/cluster/containers");
        Assert.DoesNotContain(after.GetProperty("containers").EnumerateArray(), c => c.GetProperty("container_id").GetString() == fresh);
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
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("container_id").GetString();
        Assert.Equal(7, (await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}")).GetProperty("max_agents").GetInt32());

        response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", new
        {
            container_name = Registrations.UniqueName(), host_address = "127.0.0.1", api_port = 8001, metadata = new { max_agents = 3 },
        });
        id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("container_id").GetString();
        Assert.Equal(3, (await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}")).GetProperty("max_agents").GetInt32());
    }
}
