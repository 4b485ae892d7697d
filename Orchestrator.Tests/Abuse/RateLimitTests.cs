using System.Net;
using System.Net.Http.Json;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Abuse;

public sealed class TightRateLimitFixture : AbuseManagerFixture
{
    public const int PerSecond = 5;
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Limits:DeploysPerSecondPerCaller"] = PerSecond.ToString(),
        ["Limits:RegistrationsPerSecondPerCaller"] = PerSecond.ToString(),
        ["Limits:LogBatchesPerSecondPerCaller"] = PerSecond.ToString(),
    };
}

// Microsoft.AspNetCore.RateLimiting per caller: 429 problem+json with Retry-After past the limit;
// heartbeats are never limited.
[Trait(TestLevel.Name, TestLevel.Api)]
public class RateLimitTests(TightRateLimitFixture fixture) : IClassFixture<TightRateLimitFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task DeploysPastTheCallersLimitGetTooManyRequestsWithRetryAfter()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < TightRateLimitFixture.PerSecond * 3; i++)
            statuses.Add(await admin.DeployAsync(new { agent_type = SchedulingClient.UniqueType() }));
        var limited = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        await limited[0].AssertProblemAsync(429);
        Assert.True(limited[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task LogBatchesPastANodesLimitGetTooManyRequestsWithRetryAfterAndResentFromTheAckedSequenceNoLineIsLostOrDoubled()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var tenant = Tenants.TenantClients.UniqueTenant("ship");
        var node = await admin.RegisterAsync(type, tenant, maxAgents: 1);
        // The class's other tests spend this admin's deploy budget too: wait out a 429 as a client does.
        HttpResponseMessage deployed;
        while ((deployed = await admin.DeployAsync(new { agent_type = type, agent_config = new { }, constraints = new { orchestrator_id = tenant } })).StatusCode == HttpStatusCode.TooManyRequests)
            await Task.Delay(deployed.Headers.RetryAfter!.Delta!.Value);
        var agentId = (await deployed.ReadAsync(Orchestrator.Protocol.ProtocolJsonContext.Default.DeployResponse)).Agents[0].AgentId;
        var path = Orchestrator.Protocol.ManagerRoutes.ContainerLogs.Replace("{id}", node, StringComparison.Ordinal);

        // As the node ships: one line per call, the next call from the acked sequence; a 429 is waited out.
        const int total = TightRateLimitFixture.PerSecond * 4;
        long acked = 0;
        var limited = 0;
        while (acked < total)
        {
            var line = new Orchestrator.Protocol.LogLine(acked + 1, DateTimeOffset.UtcNow, Orchestrator.Protocol.LogStreams.Stdout, $"line {acked + 1}");
            using var response = await admin.PostAsJsonAsync(path, new Orchestrator.Protocol.LogBatchRequest(agentId, [line]), Orchestrator.Protocol.ProtocolJsonContext.Default.LogBatchRequest);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                if (limited++ == 0) await response.AssertProblemAsync(429);
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
                await Task.Delay(response.Headers.RetryAfter!.Delta!.Value);
                continue;
            }
            acked = (await response.ReadAsync(Orchestrator.Protocol.ProtocolJsonContext.Default.LogBatchResponse)).AckedSequence;
        }
        Assert.True(limited > 0, "no batch was limited");
        var stored = await (await admin.GetAsync($"/api/v1/cluster/agents/{agentId}/logs?tail=100")).ReadAsync(Orchestrator.Protocol.ProtocolJsonContext.Default.AgentLogsResponse);
        Assert.Equal(Enumerable.Range(1, total).Select(i => $"line {i}"), stored.Lines.Select(l => l.Text));
    }

    [Fact]
    public async Task ALimitedCallerAcceptingOnlyAnEventStreamStillGetsProblemJson()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        admin.DefaultRequestHeaders.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("text/event-stream"));
        // All at once, so the bucket is over its limit however slowly a loaded machine answers.
        var responses = await Task.WhenAll(Enumerable.Range(0, TightRateLimitFixture.PerSecond * 3)
            .Select(_ => admin.DeployAsync(new { agent_type = SchedulingClient.UniqueType() })));

        // The shared 429 writer once threw here (no problem writer matched the Accept header): a 500 instead.
        Assert.DoesNotContain(responses, r => r.StatusCode == HttpStatusCode.InternalServerError);
        var limited = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        await limited.AssertProblemAsync(429);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task RegistrationsPastTheCallersLimitAreLimitedButOtherCallersAndHeartbeatsAreNot()
    {
        var name = Registrations.UniqueName("busy");
        using var node = await Manager.CreateClusterClientAsync(name);
        var id = await node.RegisterIdAsync(name);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < TightRateLimitFixture.PerSecond * 3; i++)
            statuses.Add((await node.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name))).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        // The same node's heartbeats, far faster than any interval, are all accepted.
        for (var i = 0; i < 50; i++)
            Assert.Equal(HttpStatusCode.OK, (await node.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id))).StatusCode);

        var otherName = Registrations.UniqueName("calm");
        using var other = await Manager.CreateClusterClientAsync(otherName);
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(otherName))).StatusCode);
    }
}

// The defaults leave the performance goals reachable: a burst of 2,500 deploys and 2,500 registrations
// from one caller within a second is never answered 429.
[Trait(TestLevel.Name, TestLevel.Api)]
public class DefaultRateLimitTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    [Fact]
    public async Task ABurstOfTwoThousandFiveHundredDeploysAndRegistrationsFromOneAdminIsNotLimited()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForAsync(0, 2_500, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            // Bodies the handler refuses at once: the limiter has counted them all the same.
            using var deploy = await admin.PostAsJsonAsync("/api/v1/cluster/agents/deploy", new { agent_type = "Not A Type" }, ct);
            using var register = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", new { container_name = "bad name" }, ct);
            statuses.Add(deploy.StatusCode);
            statuses.Add(register.StatusCode);
        });
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.BadRequest, s));
    }
}
