using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Manager;

// The seed's operator commands against the whole local cluster (AppHost: redis-server, manager running
// as Production with generated secrets, orchestrators), with a token obtained as the README shows.
[Collection(LocalClusterCollection.Name)]
[Trait(TestLevel.Name, TestLevel.AppHost)]
public class LocalClusterManagerTests(ClusterFixture cluster)
{
    private Task<HttpClient> AdminClientAsync() => cluster.CreateAdminClientAsync();

    [Fact]
    public async Task SeedStatusAndContainersCommandsAnswerWithAnAdminToken()
    {
        using var client = await AdminClientAsync();
        var status = await client.GetJsonAsync("/api/v1/cluster/status");
        Assert.True(status.GetProperty("redis_reachable").GetBoolean());
        var containers = await client.GetJsonAsync("/api/v1/cluster/containers");
        Assert.Equal(JsonValueKind.Array, containers.GetProperty("containers").ValueKind);
    }

    [Fact]
    public async Task TheSeedsOwnClientCanRegisterAndHeartbeatWithAnAdminToken()
    {
        using var client = await AdminClientAsync();
        var name = Registrations.UniqueName("seed-client");
        var id = await client.RegisterIdAsync(name);
        var heartbeat = await client.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id));
        Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/cluster/containers/{id}")).StatusCode);
    }

    [Fact]
    public async Task EveryLocalOrchestratorRegistersAndShowsHealthy()
    {
        using var client = await AdminClientAsync();
        var expected = cluster.Orchestrators.Select(o => o + "-cluster").ToList();
        await Deadline.UntilAsync(async () =>
        {
            var list = await client.GetJsonAsync("/api/v1/cluster/containers?status=healthy");
            var names = list.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("container_name").GetString()).ToList();
            return expected.All(names.Contains);
        }, TimeSpan.FromSeconds(60), "orchestrator-1..3-cluster to register and heartbeat");
    }
}
