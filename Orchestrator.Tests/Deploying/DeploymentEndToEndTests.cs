using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Deploying;

// The whole path over real HTTP between real processes: operator -> manager -> Redis -> the
// orchestrator's own long-poll -> agent running on the orchestrator -> state reported back.
[Trait(TestLevel.Name, TestLevel.AppHost)]
public class DeploymentEndToEndTests(TwoOrchestratorCluster cluster) : IClassFixture<TwoOrchestratorCluster>, IAsyncLifetime
{
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = await cluster.CreateAdminClientAsync();
        // Every test starts from an empty cluster: remove what earlier tests deployed, and wait until it stopped.
        var agents = await _admin.GetJsonAsync("/api/v1/cluster/agents");
        foreach (var agent in agents.GetProperty("agents").EnumerateArray())
            await _admin.DeleteAsync($"/api/v1/cluster/agents/{agent.GetProperty("agent_id").GetString()}");
        await LocalAgents.WaitUntilAsync(cluster, "every orchestrator to run nothing", all => all.Values.All(a => a.Count == 0));
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private static object Trading(int replicas = 1, object? config = null) => new
    {
        agent_type = "trading_agent",
        agent_config = config ?? new { strategy = "distributed_momentum", symbol = "BTC-USD" },
        deployment_strategy = "least_loaded",
        replicas,
    };

    [Fact]
    public async Task SixTradingAgentsWithLeastLoadedLandThreeOnEachOrchestratorAndRun()
    {
        var deployed = await _admin.DeployOkAsync(Trading(replicas: 6));
        var ids = deployed.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("agent_id").GetString()!).ToList();

        await LocalAgents.WaitUntilAsync(cluster, "6 agents running, 3 per orchestrator", all =>
            all.Values.All(agents => agents.Count(a => ids.Contains(a.Key) && a.Value == "running") == 3));

        await Deadline.UntilAsync(async () =>
            (await _admin.GetJsonAsync($"/api/v1/cluster/agents/{ids[0]}")).GetProperty("state").GetString() == "running",
            LocalAgents.Deadline, "the manager to show the state the orchestrator reported");
    }

    [Fact]
    public async Task OrchestratorIdTargetingLandsOnThatOrchestratorOnly()
    {
        var deployed = await _admin.DeployOkAsync(Trading(replicas: 2, config: new { strategy = "momentum", orchestrator_id = 2 }));
        var ids = deployed.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("agent_id").GetString()!).ToList();

        await LocalAgents.WaitUntilAsync(cluster, "both agents running on orchestrator-2", all =>
            ids.All(id => all["orchestrator-2"].GetValueOrDefault(id) == "running"));
        Assert.Empty((await LocalAgents.StatesAsync(cluster, "orchestrator-1")).Keys.Intersect(ids));
    }

    [Fact]
    public async Task DeployingPastTotalCapacityIsRefusedAndChangesNothing()
    {
        await _admin.DeployOkAsync(Trading(replicas: 4));

        var refused = await _admin.DeployAsync(Trading(replicas: TwoOrchestratorCluster.Capacity));

        await refused.AssertProblemAsync(409);
        Assert.Equal(4, (await _admin.GetJsonAsync("/api/v1/cluster/agents")).GetProperty("count").GetInt32());
        var distribution = await _admin.GetJsonAsync("/api/v1/cluster/metrics/distribution");
        Assert.Equal(4, distribution.GetProperty("total_agents").GetInt32());
    }

    [Fact]
    public async Task DeletingAnAgentStopsItOnItsOrchestrator()
    {
        var deployed = await _admin.DeployOkAsync(Trading());
        var id = deployed.GetProperty("agents")[0].GetProperty("agent_id").GetString()!;
        await LocalAgents.WaitUntilAsync(cluster, "the agent to run", all => all.Values.Any(a => a.GetValueOrDefault(id) == "running"));

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/cluster/agents/{id}")).StatusCode);

        await LocalAgents.WaitUntilAsync(cluster, "the agent to be gone from its orchestrator", all => all.Values.All(a => !a.ContainsKey(id)));
    }

    [Fact]
    public async Task TheSameIdempotencyKeyTwiceDeploysOnce()
    {
        var key = Guid.NewGuid().ToString();
        var first = await _admin.DeployOkAsync(Trading(replicas: 2), key);
        var again = await _admin.DeployOkAsync(Trading(replicas: 2), key);

        Assert.Equal(first.GetProperty("deployment_id").GetString(), again.GetProperty("deployment_id").GetString());
        Assert.Equal(2, (await _admin.GetJsonAsync("/api/v1/cluster/agents")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task DistributionAndCommunicationStatsMatchWhatWasDeployed()
    {
        var deployed = await _admin.DeployOkAsync(Trading(replicas: 3));
        var ids = deployed.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("agent_id").GetString()!).ToList();
        await LocalAgents.WaitUntilAsync(cluster, "3 agents running", all => all.Values.Sum(a => a.Count(x => ids.Contains(x.Key) && x.Value == "running")) == 3);

        await Deadline.UntilAsync(async () =>
        {
            var d = await _admin.GetJsonAsync("/api/v1/cluster/metrics/distribution");
            return d.GetProperty("total_agents").GetInt32() == 3
                && d.GetProperty("containers").EnumerateArray().Sum(c => c.GetProperty("running").GetInt32()) == 3
                && d.GetProperty("orchestrators").GetArrayLength() == 2
                && d.GetProperty("total_capacity").GetInt32() == TwoOrchestratorCluster.Capacity;
        }, LocalAgents.Deadline, "the distribution to count 3 running agents over 2 orchestrators");

        var stats = await _admin.GetJsonAsync("/api/v1/cluster/communication/stats");
        var rows = stats.GetProperty("containers").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetProperty("heartbeats_received").GetInt64() >= 1));
        Assert.All(rows, r => Assert.True(r.GetProperty("assignment_deliveries").GetInt64() >= 1));
    }

    [Fact]
    public async Task TwoHundredParallelDeploysNeverPushAnOrchestratorPastMaxAgents()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => _admin.DeployAsync(Trading())));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"got {(int)r.StatusCode}"));
        Assert.Equal(TwoOrchestratorCluster.Capacity, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        var distribution = await _admin.GetJsonAsync("/api/v1/cluster/metrics/distribution");
        Assert.All(distribution.GetProperty("containers").EnumerateArray(),
            c => Assert.True(c.GetProperty("agents").GetInt32() <= c.GetProperty("max_agents").GetInt32()));
        await LocalAgents.WaitUntilAsync(cluster, "5 agents running on each orchestrator", all => all.Values.All(a => a.Count(x => x.Value == "running") == 5));
    }
}
