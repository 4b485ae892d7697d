using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Redis;
using Orchestrator.Protocol;
using StackExchange.Redis;
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
        var generation = (await admin.GetAssignmentsAsync(id)).Generation;

        var poll = admin.GetAssignmentsAsync(id, $"?since={generation}&wait=30");
        var deployed = await admin.DeployOkAsync(new { agent_type = type, agent_config = new { symbol = "BTC" } });
        var answer = await poll.WaitAsync(Deadline);

        Assert.True(answer.Generation > generation);
        var assignment = Assert.Single(answer.Assignments);
        Assert.Equal(deployed.Agents.Single().AgentId, assignment.AgentId);
        Assert.Equal("BTC", assignment.AgentConfig.GetProperty("symbol").GetString()); // agent_config is the operator's own object
        Assert.Equal(1, assignment.Epoch);
        Assert.Equal(ClusterLossPolicies.Keep, assignment.OnClusterLoss);
    }

    [Fact]
    public async Task AHeldLongPollWhoseWakeUpWasLostReadsAgainWhenTheSubscriptionDrops()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var id = await admin.RegisterAsync(SchedulingClient.UniqueType(), "1", 5);
        var generation = (await admin.GetAssignmentsAsync(id)).Generation;
        var notifier = Manager.Services.GetRequiredService<AssignmentNotifier>();
        Assert.True(notifier.Subscribed);

        // The manager's clock is a FakeTimeProvider that is not advanced: the poll never reaches its deadline,
        // and while subscribed it does no periodic re-read, so only a wake-up can answer it.
        var poll = admin.GetAssignmentsAsync(id, $"?since={generation}&wait=30");
        await Testing.Deadline.UntilAsync(() => Task.FromResult(notifier.IsHeld(id)), Deadline, $"the long-poll for {id} held");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString + ",allowAdmin=true");
        // A change whose wake-up is lost: the generation moves without a PUBLISH.
        await redis.GetDatabase().HashIncrementAsync(RedisKeys.Container(id), "generation");
        Assert.False(poll.IsCompleted);

        await redis.GetServers().Single().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");

        Assert.True((await poll.WaitAsync(TimeSpan.FromSeconds(10))).Generation > generation);
        await Testing.Deadline.UntilAsync(() => Task.FromResult(notifier.Subscribed), Deadline, "the manager subscribed again");
    }

    [Fact]
    public async Task ALongPollWithNothingNewAnswersWithTheSameGenerationAfterItsWait()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var id = await admin.RegisterAsync(SchedulingClient.UniqueType(), "1", 5);
        var generation = (await admin.GetAssignmentsAsync(id)).Generation;

        var poll = admin.GetAssignmentsAsync(id, $"?since={generation}&wait=5");
        // The manager's clock is a FakeTimeProvider: the held poll ends only when its time passes.
        var until = DateTime.UtcNow + Deadline;
        while (!poll.IsCompleted && DateTime.UtcNow < until)
        {
            Manager.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(poll, Task.Delay(50));
        }

        Assert.Equal(generation, (await poll.WaitAsync(Deadline)).Generation);
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
        var agentId = (await admin.DeployOkAsync(new { agent_type = type })).Agents.Single().AgentId;
        Assert.Equal(AgentStates.Assigned, (await admin.GetAgentAsync(agentId)).State);

        var report = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/agents/report", new
        {
            container_id = id,
            agents = new object[]
            {
                new { agent_id = agentId, state = "running", epoch = 1, restarts = 0 },
                new { agent_id = "agt-gone", state = "running", epoch = 1, restarts = 0 },
            },
        });

        var verdict = await report.ReadAsync(ProtocolJsonContext.Default.AgentReportResponse);
        Assert.Equal([agentId], verdict.Accepted);
        Assert.Equal(new RejectedAgent("agt-gone", "not_assigned"), Assert.Single(verdict.Rejected));
        Assert.Equal(AgentStates.Running, (await admin.GetAgentAsync(agentId)).State);
        var stale = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/agents/report",
            new { agents = new[] { new { agent_id = agentId, state = "running", epoch = 7, restarts = 0 } } });
        Assert.Equal("stale_epoch", Assert.Single((await stale.ReadAsync(ProtocolJsonContext.Default.AgentReportResponse)).Rejected).Reason);
    }

    [Fact]
    public async Task AReportWithAnUnknownStateNamesTheField()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var id = await admin.RegisterAsync(SchedulingClient.UniqueType(), "1", 5);
        var response = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/agents/report",
            new { agents = new[] { new { agent_id = "agt-1", state = "dancing", epoch = 1 } } });
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.Names("agents[0].state"), problem.Named());
    }

    [Fact]
    public async Task CommunicationStatsCountHeartbeatsDeliveriesAndReconnects()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var id = await admin.RegisterAsync(type, "1", 5); // one heartbeat
        await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat",
            new { container_id = id, health_score = 90, active_agents = 0, round_trip_ms = 4.5, failures = 2 });
        await admin.GetAssignmentsAsync(id); // one delivery
        var name = (await admin.GetContainerAsync(id)).ContainerName;
        (await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name))).EnsureSuccessStatusCode();

        var stats = await admin.GetCommunicationStatsAsync();

        var row = stats.Containers.Single(c => c.ContainerId == id);
        Assert.Equal(2, row.HeartbeatsReceived);
        Assert.Equal(4.5, row.LastRoundTripMs);
        Assert.Equal(1, row.AssignmentDeliveries);
        Assert.Equal(2, row.Failures);
        Assert.Equal(1, row.Reconnects);
        Assert.True(stats.Totals.HeartbeatsReceived >= 2);
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

        var traceparent = Assert.Single((await admin.GetAssignmentsAsync(id)).Assignments).Traceparent;
        Assert.StartsWith($"00-{traceId}-", traceparent);
    }
}
