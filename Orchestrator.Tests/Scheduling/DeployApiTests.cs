using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Scheduling;

[Trait(TestLevel.Name, TestLevel.Api)]
public class DeployApiTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task SixReplicasWithLeastLoadedLandThreeOnEachOfTwoContainers()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var a = await admin.RegisterAsync(type, "1", 10);
        var b = await admin.RegisterAsync(type, "2", 10);

        var deployed = await admin.DeployOkAsync(new { agent_type = type, agent_config = new { }, deployment_strategy = "least_loaded", replicas = 6 });

        var containers = SchedulingClient.ContainersOf(deployed).ToList();
        Assert.Equal(3, containers.Count(c => c == a));
        Assert.Equal(3, containers.Count(c => c == b));
        Assert.Equal(3, await admin.AssignedAsync(a));
    }

    [Fact]
    public async Task AgentConfigOrchestratorIdPinsTheAgentToThatOrchestrator()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        await admin.RegisterAsync(type, "1", 10);
        var pinned = await admin.RegisterAsync(type, "2", 10);

        // The seed's example sends orchestrator_id as a number.
        var deployed = await admin.DeployOkAsync(new
        {
            agent_type = type, agent_config = new { strategy = "distributed_momentum", orchestrator_id = 2 },
            deployment_strategy = "least_loaded", replicas = 4,
        });

        Assert.All(SchedulingClient.ContainersOf(deployed), c => Assert.Equal(pinned, c));
    }

    [Fact]
    public async Task DeployingPastCapacityIsRefusedAndChangesNothing()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var a = await admin.RegisterAsync(type, "1", 2);
        await admin.DeployOkAsync(new { agent_type = type, replicas = 1 });

        var response = await admin.DeployAsync(new { agent_type = type, replicas = 2 });

        var problem = await response.AssertProblemAsync(409);
        Assert.Contains("room for 1", problem.GetProperty("detail").GetString());
        Assert.Equal(1, await admin.AssignedAsync(a));
        var agents = await admin.GetJsonAsync($"/api/v1/cluster/agents?agent_type={type}");
        Assert.Equal(1, agents.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task AnAgentTypeNoClusterSupportsIsRefusedWith422()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.DeployAsync(new { agent_type = SchedulingClient.UniqueType() });
        var problem = await response.AssertProblemAsync(422);
        Assert.Contains("capability", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnUnknownStrategyIsABadRequestNamingTheField()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.DeployAsync(new { agent_type = "trading_agent", deployment_strategy = "fastest" });
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("deployment_strategy", out _));
    }

    [Fact]
    public async Task TheSameIdempotencyKeyTwiceDeploysOnce()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        await admin.RegisterAsync(type, "1", 10);
        var key = Guid.NewGuid().ToString();
        var body = new { agent_type = type, replicas = 2 };

        var first = await admin.DeployOkAsync(body, key);
        var second = await admin.DeployOkAsync(body, key);

        Assert.Equal(first.GetProperty("deployment_id").GetString(), second.GetProperty("deployment_id").GetString());
        var agents = await admin.GetJsonAsync($"/api/v1/cluster/agents?agent_type={type}");
        Assert.Equal(2, agents.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task AnIdempotencyKeyReusedForAnotherBodyIsRefused()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        await admin.RegisterAsync(type, "1", 10);
        var key = Guid.NewGuid().ToString();
        await admin.DeployOkAsync(new { agent_type = type, replicas = 1 }, key);
        await (await admin.DeployAsync(new { agent_type = type, replicas = 3 }, key)).AssertProblemAsync(422);
    }

    [Fact]
    public async Task TwoHundredParallelDeploysNeverPushAContainerPastMaxAgents()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var containers = new[] { await admin.RegisterAsync(type, "1", 10), await admin.RegisterAsync(type, "2", 7), await admin.RegisterAsync(type, "3", 5) };

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            admin.DeployAsync(new { agent_type = type, deployment_strategy = i % 2 == 0 ? "least_loaded" : "bin_pack" })));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"got {(int)r.StatusCode}"));
        Assert.Equal(22, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        var assigned = await Task.WhenAll(containers.Select(admin.AssignedAsync));
        Assert.Equal([10, 7, 5], assigned);
        var agents = await admin.GetJsonAsync($"/api/v1/cluster/agents?agent_type={type}");
        Assert.Equal(22, agents.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task DeletingAnAgentFreesItsPlaceAndForgetsIt()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var a = await admin.RegisterAsync(type, "1", 1);
        var agentId = (await admin.DeployOkAsync(new { agent_type = type })).GetProperty("agents")[0].GetProperty("agent_id").GetString();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/cluster/agents/{agentId}")).StatusCode);

        Assert.Equal(0, await admin.AssignedAsync(a));
        await (await admin.GetAsync($"/api/v1/cluster/agents/{agentId}")).AssertProblemAsync(404);
        await admin.DeployOkAsync(new { agent_type = type });
    }

    [Fact]
    public async Task DistributionCountsAgentsPerContainerAndPerOrchestrator()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var orchestrator = Guid.NewGuid().ToString("N")[..8];
        var a = await admin.RegisterAsync(type, orchestrator, 4);
        var b = await admin.RegisterAsync(type, orchestrator, 4);
        await admin.DeployOkAsync(new { agent_type = type, replicas = 3, deployment_strategy = "bin_pack" });

        var distribution = await admin.GetJsonAsync("/api/v1/cluster/metrics/distribution");

        var rows = distribution.GetProperty("containers").EnumerateArray()
            .Where(c => c.GetProperty("container_id").GetString() is { } id && (id == a || id == b)).ToList();
        Assert.Equal(3, rows.Sum(r => r.GetProperty("agents").GetInt32()));
        Assert.Contains(rows, r => r.GetProperty("agents").GetInt32() == 3); // bin_pack filled one
        var perOrchestrator = distribution.GetProperty("orchestrators").EnumerateArray()
            .Single(o => o.GetProperty("orchestrator_id").GetString() == orchestrator);
        Assert.Equal(3, perOrchestrator.GetProperty("agents").GetInt32());
        Assert.Equal(8, perOrchestrator.GetProperty("capacity").GetInt32());
    }
}
