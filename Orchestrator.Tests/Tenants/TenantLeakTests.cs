using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Tenants;

// What a scoped operator learns of other tenants through side doors: replayed answers, page counts.
[Trait(TestLevel.Name, TestLevel.Api)]
public class TenantLeakTests(TenantWorld world) : IClassFixture<TenantWorld>
{
    [Fact]
    public async Task AnOperatorCreatedAgainUnderTheSameNameWithOtherTenantsDoesNotReplayTheFirstOnesDeploy()
    {
        var name = TenantClients.UniqueOperator();
        var body = new { agent_type = world.Type };
        var key = "deploy-" + Guid.NewGuid().ToString("N");
        var first = await CreateAsync(name, world.A);
        var original = await first.DeployOkAsync(body, key);
        Assert.All(original.Agents, a => Assert.Contains(a.ContainerId, world.ContainersA));

        Assert.True((await world.Admin.DeleteAsync(ManagerRoutes.Operators + "/" + name)).IsSuccessStatusCode);
        var second = await CreateAsync(name, world.B);
        var theirs = await second.DeployOkAsync(body, key);
        Assert.NotEqual(original.DeploymentId, theirs.DeploymentId);
        Assert.All(theirs.Agents, a => Assert.Contains(a.ContainerId, world.ContainersB));
    }

    [Fact]
    public async Task WalkingContainersOneAtATimeAsAScopedOperatorShowsNoEmptyPagesForOtherTenants()
    {
        var seen = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 100; page++)
        {
            var listing = await world.ViewerA.ListContainersAsync("?limit=1" + (cursor is null ? "" : "&cursor=" + cursor));
            cursor = listing.NextCursor;
            if (cursor is null) break;
            Assert.True(listing.Containers.Count == 1, $"page {page} holds {listing.Containers.Count} containers and a next_cursor");
            seen.AddRange(listing.Containers.Select(c => c.ContainerId));
        }
        Assert.Null(cursor);
        Assert.Empty(seen.Except(world.ContainersA));
    }

    [Fact]
    public async Task WalkingAgentsOneAtATimeAsAScopedOperatorShowsNoEmptyPagesForOtherTenants()
    {
        string? cursor = null;
        for (var page = 0; page < 100; page++)
        {
            var listing = await world.ViewerA.ListAgentsAsync("?limit=1" + (cursor is null ? "" : "&cursor=" + cursor));
            cursor = listing.NextCursor;
            if (cursor is null) break;
            Assert.True(listing.Agents.Count == 1, $"page {page} holds {listing.Agents.Count} agents and a next_cursor");
            Assert.NotEqual(world.AgentB, listing.Agents[0].AgentId);
        }
        Assert.Null(cursor);
    }

    private async Task<HttpClient> CreateAsync(string name, string tenant)
    {
        var response = await world.Admin.PostAsJsonAsync(ManagerRoutes.Operators, new { name, tenants = new[] { tenant }, role = "operator" });
        return await world.Manager.CreateOperatorClientAsync(await response.ReadAsync(ProtocolJsonContext.Default.OperatorCreated));
    }
}
