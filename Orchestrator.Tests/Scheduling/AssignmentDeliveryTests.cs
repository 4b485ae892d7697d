using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Scheduling;

[Trait(TestLevel.Name, TestLevel.Api)]
public class AssignmentDeliveryTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task AHeldLongPollReturnsAsSoonAsAnAgentIsAssigned()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var id = await admin.RegisterAsync(type, "1", 5);
        var first = await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}/assignments?wait=0");
        var generation = first.GetProperty("generation").GetInt64();

        var poll = admin.GetFromJsonAsync<JsonElement>($"/api/v1/cluster/containers/{id}/assignments?since={generation}&wait=30");
        var deployed = await admin.DeployOkAsync(new { agent_type = type, agent_config = new { symbol = "BTC" } });
        var answer = await poll.WaitAsync(Deadline);

        Assert.True(answer.GetProperty("generation").GetInt64() > generation);
        var assignment = Assert.Single(answer.GetProperty("assignments").EnumerateArray());
        Assert.Equal(deployed.GetProperty("agents")[0].GetProperty("agent_id").GetString(), assignment.GetProperty("agent_id").GetString());
        Assert.Equal("BTC", assignment.GetProperty("agent_config").GetProperty("symbol").GetString());
        Assert.Equal(1, assignment.GetProperty("epoch").GetInt64());
        Assert.Equal("keep", assignment.GetProperty("on_cluster_loss").GetString());
    }

    [Fact]
    public async Task ALongPollWithNothingNewAnswersWithTheSameGenerationAfterItsWait()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var id = await admin.RegisterAsync(SchedulingClient.UniqueType(), "1", 5);
        var generation = (await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}/assignments?wait=0")).GetProperty("generation").GetInt64();

        var poll = admin.GetFromJsonAsync<JsonElement>($"/api/v1/cluster/containers/{id}/assignments?since={generation}&wait=5");
        // The manager's clock is a FakeTimeProvider: the held poll ends only when its time passes.
        var until = DateTime.UtcNow + Deadline;
        while (!poll.IsCompleted && DateTime.UtcNow < until)
        {
            Manager.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(poll, Task.Delay(50));
        }

        Assert.Equal(generation, (await poll.WaitAsync(Deadline)).GetProperty("generation").GetInt64());
    }

    [Fact]
    public async Task AClusterTokenCannotReadAnotherContainersAssignments()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var id = await admin.RegisterAsync(SchedulingClient.UniqueType(), "1", 5);
        using var stranger = await Manager.CreateClusterClientAsync(Registrations.UniqueName());

        await (await stranger.GetAsync($"/api/v1/cluster/containers/{id}/assignments?wait=0")).AssertProblemAsync(403);
    }

    [Fact]
    public async Task AReportedStateShowsOnTheAgentAndAStaleEpochIsRejected()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var id = await admin.RegisterAsync(type, "1", 5);
        var agentId = (await admin.DeployOkAsync(new { agent_type = type })).GetProperty("agents")[0].GetProperty("agent_id").GetString()!;
        Assert.Equal("assigned", (await admin.GetJsonAsync($"/api/v1/cluster/agents/{agentId}")).GetProperty("state").GetString());

        var report = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/agents/report", new
        {
            container_id = id,
            agents = new object[]
            {
                new { agent_id = agentId, state = "running", epoch = 1, restarts = 0 },
                new { agent_id = "agt-gone", state = "running", epoch = 1, restarts = 0 },
            },
        });

        var verdict = await report.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([agentId], verdict.GetProperty("accepted").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("not_assigned", verdict.GetProperty("rejected")[0].GetProperty("reason").GetString());
        Assert.Equal("running", (await admin.GetJsonAsync($"/api/v1/cluster/agents/{agentId}")).GetProperty("state").GetString());
        var stale = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/agents/report",
            new { agents = new[] { new { agent_id = agentId, state = "running", epoch = 7, restarts = 0 } } });
        Assert.Equal("stale_epoch", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rejected")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AReportWithAnUnknownStateNamesTheField()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var id = await admin.RegisterAsync(SchedulingClient.UniqueType(), "1", 5);
        var response = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/agents/report",
            new { agents = new[] { new { agent_id = "agt-1", state = "dancing", epoch = 1 } } });
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("agents[0].state", out _));
    }

    [Fact]
    public async Task CommunicationStatsCountHeartbeatsDeliveriesAndReconnects()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var id = await admin.RegisterAsync(type, "1", 5); // one heartbeat
        await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat",
            new { container_id = id, health_score = 90, active_agents = 0, round_trip_ms = 4.5, failures = 2 });
        await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}/assignments?wait=0"); // one delivery
        var name = (await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}")).GetProperty("container_name").GetString()!;
        (await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name))).EnsureSuccessStatusCode();

        var stats = await admin.GetJsonAsync("/api/v1/cluster/communication/stats");

        var row = stats.GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("container_id").GetString() == id);
        Assert.Equal(2, row.GetProperty("heartbeats_received").GetInt64());
        Assert.Equal(4.5, row.GetProperty("last_round_trip_ms").GetDouble());
        Assert.Equal(1, row.GetProperty("assignment_deliveries").GetInt64());
        Assert.Equal(2, row.GetProperty("failures").GetInt64());
        Assert.Equal(1, row.GetProperty("reconnects").GetInt64());
        Assert.True(stats.GetProperty("totals").GetProperty("heartbeats_received").GetInt64() >= 2);
    }

    [Fact]
    public async Task TheAssignmentCarriesTheDeployCallsTraceContext()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var id = await admin.RegisterAsync(type, "1", 5);
        var traceId = Guid.NewGuid().ToString("N");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cluster/agents/deploy") { Content = JsonContent.Create(new { agent_type = type }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{Guid.NewGuid().ToString("N")[..16]}-01");
        (await admin.SendAsync(request)).EnsureSuccessStatusCode();

        var assignments = await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}/assignments?wait=0");

        var traceparent = assignments.GetProperty("assignments")[0].GetProperty("traceparent").GetString();
        Assert.StartsWith($"00-{traceId}-", traceparent);
    }
}
