using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Agent;

// The local cluster (AppHost): every orchestrator shows in the manager's container list with the
// capabilities, max_agents and orchestrator_id of its AGENT_CONFIG, and keeps heartbeating.
[Collection(LocalClusterCollection.Name)]
[Trait(TestLevel.Name, TestLevel.AppHost)]
public class ClusterRegistrationTests(ClusterFixture cluster)
{
    [Fact]
    public async Task EveryOrchestratorIsRegisteredAndHeartbeating()
    {
        using var manager = cluster.CreateClient("manager");
        var password = await cluster.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(p => p.Name == "admin-password").GetValueAsync(CancellationToken.None);
        var login = await manager.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password });
        login.EnsureSuccessStatusCode();
        manager.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (string)JsonNode.Parse(await login.Content.ReadAsStringAsync())!["access_token"]!);

        var containers = await Deadline.PollAsync(async () =>
        {
            var list = JsonNode.Parse(await manager.GetStringAsync("/api/v1/cluster/containers"))!["containers"]!.AsArray();
            var heartbeating = list.Where(c => c!["usage"] is JsonObject && (string?)c["status"] == "healthy").ToList();
            return heartbeating.Count == cluster.Orchestrators.Count ? heartbeating : null;
        }, TimeSpan.FromSeconds(90), "every orchestrator registered and heartbeating", TimeSpan.FromMilliseconds(500));

        for (var id = 1; id <= cluster.Orchestrators.Count; id++)
        {
            var container = Assert.Single(containers, c => (string?)c!["container_name"] == $"orchestrator-{id}-cluster")!;
            Assert.Equal(["agent_runner", "orchestrator_cluster"], container["capabilities"]!.AsArray().Select(c => (string?)c));
            Assert.Equal(10, (int)container["max_agents"]!);
            Assert.Equal(id.ToString(), (string?)container["metadata"]!["orchestrator_id"]);
            Assert.Equal(8000 + id, (int)container["api_port"]!);
        }
    }
}
