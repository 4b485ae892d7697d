using System.Net;
using System.Net.Http.Headers;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Tests.Operators;

// GET /api/v1/events against real processes: two manager replicas sharing one Redis and one orchestrator.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class EventStreamTests(EventStreamFixture fixture) : IClassFixture<EventStreamFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task EventsOfADeployArriveWithinOneSecondOnAnotherReplica()
    {
        // The stream is served by replica 2; the deploy goes to replica 1.
        await using var events = new EventCollector(fixture.ClientOf(Cluster.Managers[1]));
        await events.WaitForAsync(_ => true, Wait, "the stream to replay the cluster's first events");

        var changedAt = DateTimeOffset.UtcNow;
        var deployed = await fixture.ClientOf(Cluster.Managers[0]).DeployAsync(DeployRequests.Trading());
        var agent = Assert.Single(deployed.Agents);

        var accepted = await events.WaitForAsync(e => e.Type == ManagerEventTypes.DeployAccepted && e.DeploymentId == deployed.DeploymentId, Wait, "deploy.accepted");
        var placed = await events.WaitForAsync(e => e.Type == ManagerEventTypes.AgentPlaced && e.AgentId == agent.AgentId, Wait, "agent.placed");
        // Event time is when the replica made the change (same machine, same clock as the test).
        Assert.True(placed.At - placed.Event.Time < TimeSpan.FromSeconds(1), $"agent.placed arrived {(placed.At - placed.Event.Time).TotalMilliseconds:0} ms after the change");
        Assert.True(accepted.At - accepted.Event.Time < TimeSpan.FromSeconds(1));
        Assert.True(placed.Event.Time >= changedAt.AddMilliseconds(-5), "the event is older than the deploy");
        Assert.Equal(agent.OrchestratorId, placed.Event.Tenant);
        Assert.Equal(agent.ContainerId, placed.Event.ContainerId);

        var running = await events.WaitForAsync(e => e.Type == ManagerEventTypes.AgentStateChanged && e.AgentId == agent.AgentId
            && e.State == AgentStates.Running, Wait, "agent.state_changed to running");
        Assert.Equal(deployed.DeploymentId, running.Event.DeploymentId);
        Assert.Equal(agent.OrchestratorId, running.Event.Tenant);

        var stoppedAt = DateTimeOffset.UtcNow;
        await Cluster.Api.DeleteAgentAsync(agent.AgentId);
        var stopped = await events.WaitForAsync(e => e.Type == ManagerEventTypes.AgentStopped && e.AgentId == agent.AgentId, Wait, "agent.stopped");
        Assert.True(stopped.At - stopped.Event.Time < TimeSpan.FromSeconds(1), $"agent.stopped arrived {(stopped.At - stopped.Event.Time).TotalMilliseconds:0} ms after the change");
        Assert.True(stopped.Event.Time >= stoppedAt.AddMilliseconds(-5));
        Assert.Equal(agent.OrchestratorId, stopped.Event.Tenant);
    }

    [Fact]
    public async Task ATenantOperatorNeverSeesAnotherTenantsEvent()
    {
        var manager = Cluster.Managers[0];
        var tenant = (await Cluster.ContainerAsync(Cluster.Orchestrators[0])).OrchestratorId();
        await using var mine = new EventCollector(await fixture.OperatorClientAsync(manager, tenant));
        await using var others = new EventCollector(await fixture.OperatorClientAsync(manager, "another-customer"));

        var deployed = await Cluster.Api.DeployAsync(DeployRequests.Trading());
        var agent = Assert.Single(deployed.Agents).AgentId;
        await mine.WaitForAsync(e => e.AgentId == agent && e.State == AgentStates.Running, Wait, "the tenant's operator to see its agent running");
        await Cluster.Api.DeleteAgentAsync(agent);
        await mine.WaitForAsync(e => e.AgentId == agent && e.Type == ManagerEventTypes.AgentStopped, Wait, "the tenant's operator to see the stop");

        Assert.All(mine.Events, e => Assert.Equal(tenant, e.Tenant));
        Assert.Null(others.Failure);
        Assert.Empty(others.Events);
    }

    [Fact]
    public async Task ResumingWithLastEventIdAfterAManagerRestartLosesNone()
    {
        var manager = Cluster.Managers[0];
        string resumeAfter;
        await using (var first = new EventCollector(fixture.ClientOf(manager)))
        {
            var before = await Cluster.Api.DeployAsync(DeployRequests.Trading());
            resumeAfter = (await first.WaitForAsync(e => e.DeploymentId == before.DeploymentId && e.Type == ManagerEventTypes.DeployAccepted,
                Wait, "the first deploy's event")).Event.Id;
        }

        // Changes while no client listens, then the replica that served the stream restarts.
        var missed = new List<string>();
        for (var i = 0; i < 3; i++) missed.Add((await Cluster.Api.DeployAsync(DeployRequests.Trading())).DeploymentId);
        await manager.RestartAsync();

        await using var resumed = new EventCollector(fixture.ClientOf(manager), resumeAfter);
        await resumed.WaitForAsync(e => e.DeploymentId == missed[^1] && e.Type == ManagerEventTypes.AgentPlaced, Wait, "the last missed deploy's events");

        var received = resumed.Events;
        var accepted = received.Where(e => e.Type == ManagerEventTypes.DeployAccepted).Select(e => e.DeploymentId).OfType<string>().ToList();
        Assert.Equal(missed, accepted.Where(missed.Contains).ToList());
        // Exactly the stream's entries after the resume point, in order: none skipped, none twice.
        var expected = await EntryIdsAfterAsync(resumeAfter);
        Assert.Equal(expected.Take(received.Count), received.Select(e => e.Id));
    }

    [Fact]
    public async Task AQuietStreamGetsAHeartbeatComment()
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var request = await StreamRequestAsync(Cluster.Managers[0]);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ServerSentEvents.MediaType, response.Content.Headers.ContentType?.MediaType);

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string? line;
        do line = await reader.ReadLineAsync(timeout.Token);
        while (line is not null && line != ": heartbeat");
        Assert.Equal(": heartbeat", line);
    }

    [Fact]
    public async Task OneStreamMoreThanTheBoundPerTokenIsRefusedWith429()
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var token = await fixture.ClientOf(Cluster.Managers[0]).GetTokenAsync();
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < EventStreamFixture.MaxStreamsPerToken; i++)
            {
                open.Add(await http.SendAsync(StreamRequest(Cluster.Managers[0], token), HttpCompletionOption.ResponseHeadersRead));
                Assert.Equal(HttpStatusCode.OK, open[^1].StatusCode);
            }

            using var refused = await http.SendAsync(StreamRequest(Cluster.Managers[0], token), HttpCompletionOption.ResponseHeadersRead);
            Assert.True(refused.StatusCode == HttpStatusCode.TooManyRequests, $"{refused.StatusCode}: {await refused.Content.ReadAsStringAsync()}\n{Cluster.Logs()}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            foreach (var response in open) response.Dispose();
        }
    }

    [Fact]
    public async Task ALastEventIdThatIsNoEventIdIsABadRequestNamingTheHeader()
    {
        var token = await fixture.ClientOf(Cluster.Managers[0]).GetTokenAsync();
        using var request = StreamRequest(Cluster.Managers[0], token);
        request.Headers.Add(ServerSentEvents.LastEventIdHeader, "'; FLUSHALL");

        using var response = await Cluster.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(ServerSentEvents.LastEventIdHeader, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheStreamRequiresAnOperatorToken()
    {
        using var response = await Cluster.Http.GetAsync(Cluster.Managers[0].Url + ManagerRoutes.Events);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<HttpRequestMessage> StreamRequestAsync(ManagerNode manager) =>
        StreamRequest(manager, await fixture.ClientOf(manager).GetTokenAsync());

    private static HttpRequestMessage StreamRequest(ManagerNode manager, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, manager.Url + ManagerRoutes.Events);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ServerSentEvents.MediaType));
        return request;
    }

    // The Redis stream's own entry ids after one id, read with redis-cli.
    private async Task<IReadOnlyList<string>> EntryIdsAfterAsync(string afterId)
    {
        var output = await Cluster.Redis.CliAsync("XRANGE", "orchestrator:{events}", "(" + afterId, "+");
        return output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^\d+-\d+$")).ToList();
    }
}
