using System.Net;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Foundation;

[Collection(LocalClusterCollection.Name)]
[Trait(TestLevel.Name, TestLevel.AppHost)]
public class LocalClusterTests(ClusterFixture cluster)
{
    [Fact]
    public async Task ManagerAnswersHealthAndAliveOnceRedisIsUp()
    {
        using var client = cluster.CreateClient("manager");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task EveryOrchestratorAnswersHealth()
    {
        Assert.Equal(3, cluster.Orchestrators.Count);
        foreach (var orchestrator in cluster.Orchestrators)
        {
            using var client = cluster.CreateClient(orchestrator);
            var response = await client.GetAsync("/health");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{orchestrator} /health returned {response.StatusCode}");
        }
    }

    [SkippableFact]
    public async Task Where_podman_is_installed_the_local_cluster_runs_a_registry_and_a_podman_engine_for_its_nodes()
    {
        var unavailable = Orchestrator.Testing.Containers.PodmanConfig.Unavailable();
        Skip.If(unavailable is not null, unavailable);
        using var deadline = new CancellationTokenSource(ClusterFixture.StartupDeadline);

        await cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("registry", deadline.Token);
        await cluster.App.ResourceNotifications.WaitForResourceHealthyAsync("podman", deadline.Token);
    }

    [Fact]
    public async Task ManagerHealthReportsTheRedisCheck()
    {
        using var client = cluster.CreateClient("manager");
        var body = await client.GetStringAsync("/health");
        Assert.Contains("redis", body, StringComparison.OrdinalIgnoreCase);
    }
}
