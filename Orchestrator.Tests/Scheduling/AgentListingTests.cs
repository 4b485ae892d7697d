using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Scheduling;

// The agents listing is paged and the distribution is read from per-container counters, so neither reads every
// agent; these prove the pages cover every agent and the counters follow reports, stops and deletes.
[Trait(TestLevel.Name, TestLevel.Api)]
public class AgentListingTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task FollowingNextCursorListsEveryAgentAndTheLastPageHasNoCursor()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        await admin.RegisterAsync(type, "1", 30);
        var deployed = (await admin.DeployOkAsync(new { agent_type = type, replicas = 25 })).Agents.Select(a => a.AgentId).ToHashSet();

        var seen = new HashSet<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await admin.ListAgentsAsync($"?agent_type={type}&limit=7" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.Equal(page.Agents.Count, page.Count);
            seen.UnionWith(page.Agents.Select(a => a.AgentId));
            cursor = page.NextCursor;
            Assert.True(++pages < 100, "the cursor never reached the end");
        }
        while (cursor is not null);

        Assert.Equal(deployed, seen);
        Assert.True(pages > 1, "a limit of 7 over 25 agents must take several pages");
        var unpaged = await admin.ListAgentsAsync($"?agent_type={type}");
        Assert.Equal(deployed, unpaged.Agents.Select(a => a.AgentId).ToHashSet());
        Assert.Null(unpaged.NextCursor);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=5001", "limit")]
    [InlineData("?cursor=abc", "cursor")]
    public async Task ABadPageParameterIsABadRequestNamingIt(string query, string field)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var problem = await (await admin.GetAsync(ManagerRoutes.Agents + query)).AssertProblemAsync(400);
        Assert.True(problem.Names(field), problem.Named());
    }

    [Fact]
    public async Task DistributionCountsRunningAgentsFromReportsStopsAndDeletes()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var id = await admin.RegisterAsync(type, Guid.NewGuid().ToString("N")[..8], 5);
        var agents = (await admin.DeployOkAsync(new { agent_type = type, replicas = 2 })).Agents.Select(a => a.AgentId).ToList();
        Task Report(params (string Id, string State)[] states) => admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/agents/report",
            new { agents = states.Select(s => new { agent_id = s.Id, state = s.State, epoch = 1, restarts = 0 }) });
        async Task<ContainerDistribution> Row() => (await admin.GetDistributionAsync()).Containers.Single(c => c.ContainerId == id);

        await Report((agents[0], "running"), (agents[1], "running"));
        Assert.Equal((2, 2), ((await Row()).Agents, (await Row()).Running));
        await Report((agents[0], "running"), (agents[1], "stopped"));
        Assert.Equal(1, (await Row()).Running);
        await admin.DeleteAsync($"{ManagerRoutes.Agents}/{agents[0]}");
        Assert.Equal((1, 0), ((await Row()).Agents, (await Row()).Running));
    }
}
